import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core import throttle
from core.clients import client_address, client_network
from practitioners.idnumbers import normalize_id_number

User = get_user_model()
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


class RegistryBackend(ModelBackend):
    """The model backend, with three additions:

    - practitioners log in with their ID number, typed as people type it (full-width digits,
      spaces, lower-case x): such input is normalised to the stored user name;
    - failed passwords are limited (core.throttle.LOGIN) per client address and network across
      accounts, per account and address, and per account with a growing delay; a browser that
      logged in to the account before (its device cookie) is counted on its own instead. Once
      an attempt has to wait, no password is checked (not even the right one) until then,
      which is set on the request as `throttled` (the Throttled, with its message) for the
      login form to tell; a successful login gives the browser a new device cookie;
    - the user's bureau is loaded with the user, and a practitioner's register record with
      its bureau: every staff page needs the one, every practitioner page the other
      (practitioners.selectors.own_practitioner), so neither costs a query of its own.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            candidate = normalize_id_number(username)
            if _ID_SHAPE.match(candidate):
                username = candidate
        if request is None or not username:
            return super().authenticate(request, username=username, password=password, **kwargs)
        counted = {
            "account": username,
            "address": client_address(request),
            "network": client_network(request),
            "device": throttle.known_device(request, username),
        }
        try:
            throttle.check(throttle.LOGIN, **counted)
        except throttle.Throttled as exc:
            request.throttled = exc
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record(throttle.LOGIN, **counted)
        else:
            throttle.trust_device(request, username)
        return user

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("bureau", "practitioner__bureau").get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
