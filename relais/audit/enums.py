from django.db import models


class Action(models.TextChoices):
    READ = "read", "Consultation"
    WRITE = "write", "Modification"
    EXPORT = "export", "Export"
    SEARCH = "search", "Recherche"
    ACCESS_GRANT = "access_grant", "Accès sur demande"
    MERGE = "merge", "Fusion de personnes"
    UNMERGE = "unmerge", "Annulation de fusion"
    ANONYMISE = "anonymise", "Anonymisation"
    ACCESS_CLOSED = "access_closed", "Fin d'accès du SPIP (mesure terminée)"
