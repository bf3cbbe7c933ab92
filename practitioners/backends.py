from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

User = get_user_model()


class RegistryBackend(ModelBackend):
    """The model backend, loading the user's bureau with the user: every staff page needs it."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("bureau").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
