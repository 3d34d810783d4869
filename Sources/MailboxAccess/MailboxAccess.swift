/// MailboxAccess: reading mailboxes for the polling job (`triage poll`).
///
/// - ``IMAPMailbox``: an IMAP/IMAPS mailbox through libcurl (the `CLibCurl`
///   target; no libcurl type appears in this module's public API): select,
///   search by UID, fetch exact bytes, flag, move, append, create folders;
///   password or OAuth 2.0 bearer token (XOAUTH2, OAUTHBEARER).
/// - ``MaildirMailbox``: a Maildir, marked the way mail clients do
///   (`new/NAME` → `cur/NAME:2,S`, atomic rename).
/// - ``PollPlan``: the poller's state machine as a value (no I/O): what the store
///   knows + what the mailbox shows → one action at a time (fetch, store, mark,
///   record a new UIDVALIDITY). Exactly once: stored before marked, stored keys
///   only marked, content hashes checked on every fetch.
/// - ``PollSource`` (``IMAPPollSource``, ``MaildirPollSource``) and ``PollRunner``:
///   the plan driven against a real mailbox and the caller's store.
///
/// Logging (swift-log) names mailboxes, UIDs and counts, never message contents,
/// addresses, passwords or tokens.
public enum MailboxAccess {}
