"""The 26 ActiveSync WBXML code pages of [MS-ASWBXML] 2.1.2.1 as data.

Each page lists its tag names in token order starting at 0x05 (0x00-0x04 are the
WBXML global tokens, WAP-192-WBXML 7.1). A "-" marks a token the spec leaves
unassigned, so later names keep their published token. Tags the spec marks
"not used" by current protocol versions are still listed: old clients send them,
and a decoder that rejects them would break those clients.
"""

from __future__ import annotations

FIRST_TOKEN = 0x05

# (page number, namespace name, tag names from token 0x05 upwards)
PAGES: tuple[tuple[int, str, str], ...] = (
    # [MS-ASWBXML] 2.1.2.1.1
    (0, "AirSync", """
        Sync Responses Add Change Delete Fetch SyncKey ClientId ServerId Status
        Collection Class Version CollectionId GetChanges MoreAvailable WindowSize
        Commands Options FilterType Truncation RTFTruncation Conflict Collections
        ApplicationData DeletesAsMoves NotifyGUID Supported SoftDelete MIMESupport
        MIMETruncation Wait Limit Partial ConversationMode MaxItems HeartbeatInterval
    """),
    # 2.1.2.1.2
    (1, "Contacts", """
        Anniversary AssistantName AssistantPhoneNumber Birthday Body BodySize
        BodyTruncated Business2PhoneNumber BusinessAddressCity BusinessAddressCountry
        BusinessAddressPostalCode BusinessAddressState BusinessAddressStreet
        BusinessFaxNumber BusinessPhoneNumber CarPhoneNumber Categories Category
        Children Child CompanyName Department Email1Address Email2Address
        Email3Address FileAs FirstName Home2PhoneNumber HomeAddressCity
        HomeAddressCountry HomeAddressPostalCode HomeAddressState HomeAddressStreet
        HomeFaxNumber HomePhoneNumber JobTitle LastName MiddleName MobilePhoneNumber
        OfficeLocation OtherAddressCity OtherAddressCountry OtherAddressPostalCode
        OtherAddressState OtherAddressStreet PagerNumber RadioPhoneNumber Spouse
        Suffix Title WebPage YomiCompanyName YomiFirstName YomiLastName
        CompressedRTF Picture Alias WeightedRank
    """),
    # 2.1.2.1.3
    (2, "Email", """
        Attachment Attachments AttName AttSize Att0Id AttMethod AttRemoved Body
        BodySize BodyTruncated DateReceived DisplayName DisplayTo Importance
        MessageClass Subject Read To Cc From ReplyTo AllDayEvent Categories
        Category DtStamp EndTime InstanceType BusyStatus Location MeetingRequest
        Organizer RecurrenceId Reminder ResponseRequested Recurrences Recurrence
        Recurrence_Type Recurrence_Until Recurrence_Occurrences Recurrence_Interval
        Recurrence_DayOfWeek Recurrence_DayOfMonth Recurrence_WeekOfMonth
        Recurrence_MonthOfYear StartTime Sensitivity TimeZone GlobalObjId
        ThreadTopic MIMEData MIMETruncated MIMESize InternetCPID Flag FlagStatus
        ContentClass FlagType CompleteTime DisallowNewTimeProposal
    """),
    # 2.1.2.1.4: no longer used by any protocol version; kept for old clients
    (3, "AirNotify", """
        Notify Notification Version LifeTime DeviceInfo Enable Folder ServerId
        DeviceAddress ValidCarrierProfiles CarrierProfile Status Responses Devices
        Device Id Expiry NotifyGUID DeviceFriendlyName
    """),
    # 2.1.2.1.5
    (4, "Calendar", """
        TimeZone AllDayEvent Attendees Attendee Email Name Body BodyTruncated
        BusyStatus Categories Category CompressedRTF DtStamp EndTime Exception
        Exceptions Deleted ExceptionStartTime Location MeetingStatus
        OrganizerEmail OrganizerName Recurrence Type Until Occurrences Interval
        DayOfWeek DayOfMonth WeekOfMonth MonthOfYear Reminder Sensitivity Subject
        StartTime UID AttendeeStatus AttendeeType Attachment Attachments AttName
        AttSize AttOid AttMethod AttRemoved DisplayName DisallowNewTimeProposal
        ResponseRequested AppointmentReplyTime ResponseType CalendarType
        IsLeapMonth FirstDayOfWeek OnlineMeetingConfLink OnlineMeetingExternalLink
        ClientUid
    """),
    # 2.1.2.1.6
    (5, "Move", "MoveItems Move SrcMsgId SrcFldId DstFldId Response Status DstMsgId"),
    # 2.1.2.1.7 (the namespace of page 6 is named GetItemEstimate in the schemas)
    (6, "GetItemEstimate", """
        GetItemEstimate Version Collections Collection Class CollectionId DateTime
        Estimate Response Status
    """),
    # 2.1.2.1.8
    (7, "FolderHierarchy", """
        Folders Folder DisplayName ServerId ParentId Type Response Status
        ContentClass Changes Add Delete Update SyncKey FolderCreate FolderDelete
        FolderUpdate FolderSync Count Version
    """),
    # 2.1.2.1.9
    (8, "MeetingResponse", """
        CalendarId CollectionId MeetingResponse RequestId Request Result Status
        UserResponse Version InstanceId - ProposedStartTime ProposedEndTime
        SendResponse
    """),
    # 2.1.2.1.10
    (9, "Tasks", """
        Body BodySize BodyTruncated Categories Category Complete DateCompleted
        DueDate UtcDueDate Importance Recurrence Type Start Until Occurrences
        Interval DayOfMonth DayOfWeek WeekOfMonth MonthOfYear Regenerate DeadOccur
        ReminderSet ReminderTime Sensitivity StartDate UtcStartDate Subject
        CompressedRTF OrdinalDate SubOrdinalDate CalendarType IsLeapMonth
        FirstDayOfWeek
    """),
    # 2.1.2.1.11
    (10, "ResolveRecipients", """
        ResolveRecipients Response Status Type Recipient DisplayName EmailAddress
        Certificates Certificate MiniCertificate Options To CertificateRetrieval
        RecipientCount MaxCertificates MaxAmbiguousRecipients CertificateCount
        Availability StartTime EndTime MergedFreeBusy Picture MaxSize Data
        MaxPictures
    """),
    # 2.1.2.1.12
    (11, "ValidateCert", "ValidateCert Certificates Certificate CertificateChain CheckCRL Status"),
    # 2.1.2.1.13
    (12, "Contacts2", """
        CustomerId GovernmentId IMAddress IMAddress2 IMAddress3 ManagerName
        CompanyMainPhone AccountName NickName MMS
    """),
    # 2.1.2.1.14
    (13, "Ping", "Ping AutdState Status HeartbeatInterval Folders Folder Id Class MaxFolders"),
    # 2.1.2.1.15
    (14, "Provision", """
        Provision Policies Policy PolicyType PolicyKey Data Status RemoteWipe
        EASProvisionDoc DevicePasswordEnabled AlphanumericDevicePasswordRequired
        RequireStorageCardEncryption PasswordRecoveryEnabled - AttachmentsEnabled
        MinDevicePasswordLength MaxInactivityTimeDeviceLock
        MaxDevicePasswordFailedAttempts MaxAttachmentSize AllowSimpleDevicePassword
        DevicePasswordExpiration DevicePasswordHistory AllowStorageCard AllowCamera
        RequireDeviceEncryption AllowUnsignedApplications
        AllowUnsignedInstallationPackages MinDevicePasswordComplexCharacters
        AllowWiFi AllowTextMessaging AllowPOPIMAPEmail AllowBluetooth AllowIrDA
        RequireManualSyncWhenRoaming AllowDesktopSync MaxCalendarAgeFilter
        AllowHTMLEmail MaxEmailAgeFilter MaxEmailBodyTruncationSize
        MaxEmailHTMLBodyTruncationSize RequireSignedSMIMEMessages
        RequireEncryptedSMIMEMessages RequireSignedSMIMEAlgorithm
        RequireEncryptionSMIMEAlgorithm AllowSMIMEEncryptionAlgorithmNegotiation
        AllowSMIMESoftCerts AllowBrowser AllowConsumerEmail AllowRemoteDesktop
        AllowInternetSharing UnapprovedInROMApplicationList ApplicationName
        ApprovedApplicationList Hash AccountOnlyRemoteWipe
    """),
    # 2.1.2.1.16
    (15, "Search", """
        Search Stores Store Name Query Options Range Status Response Result
        Properties Total EqualTo Value And Or FreeText SubstringOp DeepTraversal
        LongId RebuildResults LessThan GreaterThan Schema Supported UserName
        Password ConversationId Picture MaxSize MaxPictures
    """),
    # 2.1.2.1.17
    (16, "GAL", """
        DisplayName Phone Office Title Company Alias FirstName LastName HomePhone
        MobilePhone EmailAddress Picture Status Data
    """),
    # 2.1.2.1.18 (token 0x09 is unassigned)
    (17, "AirSyncBase", """
        BodyPreference Type TruncationSize AllOrNone - Body Data EstimatedDataSize
        Truncated Attachments Attachment DisplayName FileReference Method
        ContentId ContentLocation IsInline NativeBodyType ContentType Preview
        BodyPartPreference BodyPart Status Add Delete ClientId Content Location
        Annotation Street City State Country PostalCode Latitude Longitude
        Accuracy Altitude AltitudeAccuracy LocationUri InstanceId
    """),
    # 2.1.2.1.19 (token 0x2A is unassigned)
    (18, "Settings", """
        Settings Status Get Set Oof OofState StartTime EndTime OofMessage
        AppliesToInternal AppliesToExternalKnown AppliesToExternalUnknown Enabled
        ReplyMessage BodyType DevicePassword Password DeviceInformation Model IMEI
        FriendlyName OS OSLanguage PhoneNumber UserInformation EmailAddresses
        SMTPAddress UserAgent EnableOutboundSMS MobileOperator PrimarySmtpAddress
        Accounts Account AccountId AccountName UserDisplayName SendDisabled -
        RightsManagementInformation
    """),
    # 2.1.2.1.20
    (19, "DocumentLibrary", """
        LinkId DisplayName IsFolder CreationDate LastModifiedDate IsHidden
        ContentLength ContentType
    """),
    # 2.1.2.1.21
    (20, "ItemOperations", """
        ItemOperations Fetch Store Options Range Total Properties Data Status
        Response Version Schema Part EmptyFolderContents DeleteSubFolders UserName
        Password Move DstFldId ConversationId MoveAlways
    """),
    # 2.1.2.1.22 (tokens 0x0A and 0x14 are unassigned)
    (21, "ComposeMail", """
        SendMail SmartForward SmartReply SaveInSentItems ReplaceMime - Source
        FolderId ItemId LongId InstanceId Mime ClientId Status AccountId -
        Forwardees Forwardee ForwardeeName ForwardeeEmail
    """),
    # 2.1.2.1.23 (token 0x14 is unassigned)
    (22, "Email2", """
        UmCallerID UmUserNotes UmAttDuration UmAttOrder ConversationId
        ConversationIndex LastVerbExecuted LastVerbExecutionTime ReceivedAsBcc
        Sender CalendarType IsLeapMonth AccountId FirstDayOfWeek
        MeetingMessageType - IsDraft Bcc Send
    """),
    # 2.1.2.1.24
    (23, "Notes", "Subject MessageClass LastModifiedDate Categories Category"),
    # 2.1.2.1.25
    (24, "RightsManagement", """
        RightsManagementSupport RightsManagementTemplates RightsManagementTemplate
        RightsManagementLicense EditAllowed ReplyAllowed ReplyAllAllowed
        ForwardAllowed ModifyRecipientsAllowed ExtractAllowed PrintAllowed
        ExportAllowed ProgrammaticAccessAllowed Owner ContentExpiryDate TemplateID
        TemplateName TemplateDescription ContentOwner
        RemoveRightsManagementProtection
    """),
    # 2.1.2.1.26 (tokens 0x0F, 0x10 and 0x1A-0x1F are unassigned)
    (25, "Find", """
        Find SearchId ExecuteSearch MailBoxSearchCriterion Query Status FreeText
        Options Range DeepTraversal - - Response Result Properties Preview
        HasAttachments Total DisplayCc DisplayBcc GalSearchCriterion - - - - - -
        MaxPictures MaxSize Picture
    """),
)
