"""The life of a report: the transition table and every action staff and citizens take on it
(triage, agency work, citizen actions, questions, moderation)."""
