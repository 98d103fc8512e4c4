from relais.imports.commands import ImportCommand


class Command(ImportCommand):
    help = "Importe des structures et leurs places (fichier CSV, colonnes décrites dans relais/imports/structures.py et sur la page d'import). Avec une seule erreur, rien n'est écrit."
    kind = "structures"
