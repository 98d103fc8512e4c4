from django.db import models


class StepStatus(models.TextChoices):
    TODO = "todo", "À faire"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Faite"


class StepEventKind(models.TextChoices):
    PLANNED = "planned", "Étape prévue"
    STARTED = "started", "Étape commencée"
    FINISHED = "finished", "Étape faite"
    REOPENED = "reopened", "Étape rouverte"


class ActKind(models.TextChoices):
    """The administrative acts of seed 003 §E, step 5 (« Tableau synthétique des actes
    administratifs »), in the table's column order."""

    DUI = "dui", "Dossier unique d'instruction (DUI IAE)"
    AGREEMENT = "agreement", "Convention SIAE"
    IMPLANTATION_CONTRACT = "implantation_contract", "Contrat d'implantation"
    EMPLOYMENT_CONTRACT = "employment_contract", "Contrat d'emploi pénitentiaire (CEP)"
    ANNEX = "annex", "Annexe au CEP (convention tripartite)"


class Party(models.TextChoices):
    """The rows of the table, then the two national bodies the text under it names."""

    PREFECT = "prefect", "Préfet"
    DDETS = "ddets", "DDETS"
    SIAE = "siae", "SIAE"
    DISP = "disp", "DISP"
    EP = "ep", "Établissement pénitentiaire (EP)"
    OPERATOR = "operator", "Opérateur (la personne détenue qui travaille)"
    ATIGIP = "atigip", "ATIGIP"
    DGEFP = "dgefp", "DGEFP"


class PartyRole(models.TextChoices):
    SIGNS = "signs", "Signataire"
    RECEIVES = "receives", "Destinataire"


class ActStatus(models.TextChoices):
    """Computed from the recorded dates, never typed."""

    TO_PREPARE = "to_prepare", "À préparer"
    SIGNING = "signing", "En cours de signature"
    SIGNED = "signed", "Signé"
    SENT = "sent", "Signé et transmis"
