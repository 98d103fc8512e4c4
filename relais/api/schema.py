"""How the OpenAPI schema describes the token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "relais.api.auth.TokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'un logiciel partenaire, créé par l'administrateur du territoire.",
        }


PROBLEM = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_PROBLEMS = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
# What any operation may answer besides its success, and why.
COMMON = {
    "400": ("FieldProblems", "Données ou paramètres invalides : message en français par champ."),
    "401": ("Problem", "Jeton absent, inconnu, expiré ou révoqué."),
    "403": ("Problem", "Le rôle du compte ou les droits du jeton ne le permettent pas."),
    "404": ("Problem", "Introuvable, ou hors du périmètre du jeton."),
    "429": ("Problem", "Trop d'appels : réessayez après le délai de l'en-tête Retry-After."),
    "503": ("Problem", "Base de données occupée : réessayez dans un instant."),
}
WRITES = {
    "409": ("Problem", "Étape refusée (état, règle, conflit) : message en français."),
    "422": ("Problem", "Clé d'idempotence déjà utilisée pour une autre requête."),
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 100},
    "description": "Une clé par envoi : renvoyé avec la même clé, l'appel n'est pas refait "
    "et sa réponse est redonnée (24 heures).",
}


def add_common_answers(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents its error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", PROBLEM)
    schemas.setdefault("FieldProblems", FIELD_PROBLEMS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            answers = dict(COMMON)
            if method != "get":
                answers.update(WRITES)
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            responses = operation.setdefault("responses", {})
            for code, (schema, description) in answers.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
