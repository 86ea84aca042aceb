"""The user's claims for userinfo and id_tokens: DOT gives only `sub` unless told more."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    # DOT keeps each claim only when the scope `oidc_claim_scope` maps it to was granted
    # (profile: name, given_name, family_name, preferred_username; email: email, email_verified).
    def get_additional_claims(self, request):
        user = request.user
        return {
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.get_username(),
            "email": user.email,
            "email_verified": True,
        }
