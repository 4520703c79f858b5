"""E-mail alerts for a search: subscriptions, what is new for each, and the e-mails.

- `subscriptions`: signing up (double opt-in: a signed link valid CONFIRM_DAYS), the
  secret links of each e-mail (stored as hashes), managing, leaving, and the purge.
- `sending`: `send_due()` finds what is new for each subscription that is due (trials
  new to TrialFinder or opened since its last match), once per subscription ever, and
  queues one e-mail per subscription with news; `manage.py send_alerts` and every
  import run it.
- `emails`: the messages (plain text and HTML, List-Unsubscribe one-click headers).
- `tasks`: the e-mails, sent by the task queue with retries.

Nothing here logs or queues an address, a search or a token: only ids.
"""
