// Module MailboxAccess
