"""Postvak: a mail server suite for a virtual office."""
