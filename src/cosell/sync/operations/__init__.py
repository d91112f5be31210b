"""What an operator does to the running sync: the dead-letter queue's messages, read, replayed or dropped."""
