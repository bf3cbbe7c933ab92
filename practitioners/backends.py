import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from practitioners.idnumbers import normalize_id_number

User = get_user_model()
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


class RegistryBackend(ModelBackend):
    """The model backend, with two additions:

    - practitioners log in with their ID number, typed as people type it (full-width digits,
      spaces, lower-case x): such input is normalised to the stored user name;
    - the user's bureau is loaded with the user: every staff page needs it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            candidate = normalize_id_number(username)
            if _ID_SHAPE.match(candidate):
                username = candidate
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("bureau").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
