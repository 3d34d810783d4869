// Module MailParsing
