"""The demo (`seed_demo`): a city's register and a campaign seven weeks in, told through the
product's own services on a controlled clock (time-machine).

Nothing here writes a row itself. The register is imported from a file as a bureau would; people
activate accounts, save drafts, upload photos and submit; the counters confirm and return,
correct nothing, and confirm again; city staff move people; practitioners register on-post and
continuing education and change their records; county admins file work plans and weekly sheets;
the city decides them and publishes bulletins; the cron job freezes each week's figures. Each
act runs at its moment in the past, in order, so that every record, application, confirmation,
figure, sheet and bulletin is what the product itself leaves behind, and the demo cannot
disagree with it.

Two shortcuts, both outside what the figures count: accounts are hashed with a fast hasher while
the story is told and all given one Argon2 hash of the demo password at the end (hashing each
would take a minute), and background tasks (printed forms, emails) are not queued: a download
renders its form the first time (the submissions are all older than the ten minutes a download
waits for the worker).

The story by chapter: clock.py (acts at moments, office and counter hours), register.py (the
staff accounts and the register's import), applications.py (each applicant's path), counter.py
(the clerks' decisions), business.py (business after a confirmation, moves), reporting_weeks.py
(work plans, weekly sheets, bulletins) and campaign.py, which plans them all on one story and
tells it.
"""

from .campaign import Demo, seed
from .clock import counter_time
from .register import staff_accounts

__all__ = ["Demo", "counter_time", "seed", "staff_accounts"]
