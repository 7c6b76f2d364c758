"""Initial schema: every table of postvak.store.schema, as explicit operations.

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=320), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aliases')),
    sa.UniqueConstraint('alias', name=op.f('uq_aliases_alias'))
    )
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('refcount', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domains')),
    sa.UniqueConstraint('name', name=op.f('uq_domains_name'))
    )
    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=320), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_groups_name'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('quota_bytes', sa.BigInteger(), nullable=True),
    sa.Column('used_bytes', sa.BigInteger(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_accounts_domain_id_domains'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('address', name=op.f('uq_accounts_address'))
    )
    op.create_index(op.f('ix_accounts_domain_id'), 'accounts', ['domain_id'], unique=False)
    op.create_table('group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_members_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'address', name=op.f('pk_group_members'))
    )
    op.create_table('queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('blob_sha', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha'], ['blobs.sha256'], name=op.f('fk_queue_blob_sha_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue'))
    )
    op.create_index(op.f('ix_queue_next_attempt'), 'queue', ['next_attempt'], unique=False)
    op.create_table('identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_identities_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identities')),
    sa.UniqueConstraint('address', name=op.f('uq_identities_address'))
    )
    op.create_index(op.f('ix_identities_account_id'), 'identities', ['account_id'], unique=False)
    op.create_table('mailboxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('special_use', sa.String(length=32), nullable=True),
    sa.Column('system', sa.Boolean(), nullable=False),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('uidnext', sa.BigInteger(), nullable=False),
    sa.Column('highestmodseq', sa.BigInteger(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('unseen', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_mailboxes_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['mailboxes.id'], name=op.f('fk_mailboxes_parent_id_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailboxes')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_mailboxes_account_id_name'))
    )
    op.create_index(op.f('ix_mailboxes_parent_id'), 'mailboxes', ['parent_id'], unique=False)
    op.create_table('sieve_scripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_sieve_scripts_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sieve_scripts')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_sieve_scripts_account_id_name'))
    )
    op.create_table('state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('value', sa.LargeBinary(), nullable=False),
    sa.Column('is_json', sa.Boolean(), nullable=False),
    sa.Column('expires', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_state_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state'))
    )
    op.create_index(op.f('ix_state_expires'), 'state', ['expires'], unique=False)
    op.create_index('ix_state_scope_account_id_key', 'state', ['scope', 'account_id', 'key'], unique=False)
    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('base_subject', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_threads_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads'))
    )
    op.create_index(op.f('ix_threads_account_id'), 'threads', ['account_id'], unique=False)
    op.create_table('acl',
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('grantee_id', sa.Integer(), nullable=False),
    sa.Column('rights', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['grantee_id'], ['accounts.id'], name=op.f('fk_acl_grantee_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_acl_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mailbox_id', 'grantee_id', name=op.f('pk_acl'))
    )
    op.create_table('expunged',
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('modseq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_expunged_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mailbox_id', 'uid', name=op.f('pk_expunged'))
    )
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('modseq', sa.BigInteger(), nullable=False),
    sa.Column('seen', sa.Boolean(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('draft', sa.Boolean(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('internal_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('blob_sha', sa.String(length=64), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('envelope', sa.JSON(), nullable=True),
    sa.Column('body', sa.JSON(), nullable=True),
    sa.Column('h_from', sa.Text(), nullable=False),
    sa.Column('h_to', sa.Text(), nullable=False),
    sa.Column('h_cc', sa.Text(), nullable=False),
    sa.Column('h_subject', sa.Text(), nullable=False),
    sa.Column('sent_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=500), nullable=True),
    sa.Column('preview', sa.Text(), nullable=True),
    sa.Column('annotation', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha'], ['blobs.sha256'], name=op.f('fk_messages_blob_sha_blobs')),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_messages_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_messages_thread_id_threads'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('mailbox_id', 'uid', name=op.f('uq_messages_mailbox_id_uid'))
    )
    op.create_index(op.f('ix_messages_blob_sha'), 'messages', ['blob_sha'], unique=False)
    op.create_index('ix_messages_mailbox_id_modseq', 'messages', ['mailbox_id', 'modseq'], unique=False)
    op.create_index(op.f('ix_messages_thread_id'), 'messages', ['thread_id'], unique=False)
    op.create_table('thread_refs',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=500), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_thread_refs_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_refs_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'message_id', name=op.f('pk_thread_refs'))
    )
    op.create_index(op.f('ix_thread_refs_thread_id'), 'thread_refs', ['thread_id'], unique=False)
    op.create_table('terms',
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_terms_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term', 'message_id', name=op.f('pk_terms')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_terms_message_id'), 'terms', ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_terms_message_id'), table_name='terms')
    op.drop_table('terms')
    op.drop_index(op.f('ix_thread_refs_thread_id'), table_name='thread_refs')
    op.drop_table('thread_refs')
    op.drop_index(op.f('ix_messages_thread_id'), table_name='messages')
    op.drop_index('ix_messages_mailbox_id_modseq', table_name='messages')
    op.drop_index(op.f('ix_messages_blob_sha'), table_name='messages')
    op.drop_table('messages')
    op.drop_table('expunged')
    op.drop_table('acl')
    op.drop_index(op.f('ix_threads_account_id'), table_name='threads')
    op.drop_table('threads')
    op.drop_index('ix_state_scope_account_id_key', table_name='state')
    op.drop_index(op.f('ix_state_expires'), table_name='state')
    op.drop_table('state')
    op.drop_table('sieve_scripts')
    op.drop_index(op.f('ix_mailboxes_parent_id'), table_name='mailboxes')
    op.drop_table('mailboxes')
    op.drop_index(op.f('ix_identities_account_id'), table_name='identities')
    op.drop_table('identities')
    op.drop_index(op.f('ix_queue_next_attempt'), table_name='queue')
    op.drop_table('queue')
    op.drop_table('group_members')
    op.drop_index(op.f('ix_accounts_domain_id'), table_name='accounts')
    op.drop_table('accounts')
    op.drop_table('groups')
    op.drop_table('domains')
    op.drop_table('blobs')
    op.drop_table('aliases')
