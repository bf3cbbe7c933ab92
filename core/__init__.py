"""The ground floor: what every app uses and nothing of theirs — PDF rendering, private file
storage, spreadsheets, archive guards, the environment's settings, pagination, the client's
address, task plumbing, tallies, login limits, admin bases, form rendering, the password hasher.

It imports no app of the registry (an import-linter contract in `make lint` checks it)."""
