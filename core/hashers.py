"""The password hasher: Argon2id at OWASP's recommended minimum cost."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class RegistryArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane (OWASP's password storage cheat
    sheet): about 50 ms of one core per check here. Django's defaults (100 MiB, 8 lanes) cost
    several times that, and PBKDF2 at 1.5 million iterations about 0.8 s, which on the last
    days before the deadline would let logins alone fill the server's cores.

    The algorithm keeps Django's name, so a hash made with other parameters (or by PBKDF2)
    is recognised and re-made with these at the user's next login (`must_update`).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
