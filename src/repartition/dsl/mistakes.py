"""Typical mistakes in rule files, each mapped to the French message a policy officer should read."""

from __future__ import annotations

__all__ = ["MISTAKES", "TERMINAL_NAMES"]

_RULE = "services\n  CAF : « c »\nrègle « R »\n"

#: message → snippets that fail in the same parser state (Lark's match_examples).
MISTAKES: dict[str, list[str]] = {
    "il manque « alors » entre la condition et le service": [
        _RULE + "  si aide au logement\n  CAF",
        _RULE + "  si enfants à charge est au moins 1\n  CAF",
        _RULE + "  si enfants à charge est assignation\n  CAF",
    ],
    "écrivez la comparaison en toutes lettres : « est », « n'est pas », « est au moins », "
    "« est au plus », « est plus de » ou « est moins de »": [
        _RULE + "  si enfants à charge >= 1 alors CAF",
        _RULE + "  si enfants à charge = 1 alors CAF",
        _RULE + "  si enfants à charge > 1 alors CAF",
        _RULE + "  si enfants à charge < 1 alors CAF",
        _RULE + "  si enfants à charge <= 1 alors CAF",
        _RULE + "  si enfants à charge != 1 alors CAF",
    ],
    "le service se désigne par son code en majuscules, par exemple « alors CAF »": [
        _RULE + "  si aide au logement alors caf",
        _RULE + "  dans tous les autres cas, caf",
    ],
    "un nom de règle, de définition, d'ensemble ou de table s'écrit entre guillemets, "
    "par exemple règle « Familles allocataires »": [
        "règle Familles allocataires",
        "définition en procédure : aide",
        "indicateur ménages suivis : aide",
        "ensemble communes : 17000",
        "exemple Famille : aide : oui attendu CAF",
    ],
    "le nom de la règle écartée s'écrit entre guillemets : par exception à « Nom de la règle »": [
        "règle « R », par exception à Familles allocataires",
    ],
    "il manque la valeur après « est »": [
        _RULE + "  si aide au logement est alors CAF",
        _RULE + "  si aide au logement n'est pas alors CAF",
    ],
    "il manque une condition après « et », « ou » ou « non »": [
        _RULE + "  si aide au logement et alors CAF",
        _RULE + "  si aide au logement ou alors CAF",
        _RULE + "  si non alors CAF",
    ],
    "un commentaire ne peut pas couper une condition : placez-le au-dessus de la règle": [
        _RULE + "  si aide au logement # commentaire\n  alors CAF",
        _RULE + "  si aide au logement et # commentaire\n  enfants à charge est 1 alors CAF",
    ],
    "texte non refermé : il manque le guillemet fermant « » »": [
        "charte « Charte",
        _RULE + "  texte « Les familles",
    ],
    "il manque la condition : écrivez « si … alors SERVICE » ou « dans tous les autres cas, SERVICE »": [
        _RULE,
        _RULE + "  texte « t »\n",
        _RULE + "  alors CAF",
    ],
    "il manque le service après « alors »": [
        _RULE + "  si aide au logement alors",
        _RULE + "  dans tous les autres cas,",
    ],
    "il manque « : » entre le nom de la donnée et son type": [
        "données du ménage\n  enfants à charge [enfants_a_charge] nombre entier",
        "données du ménage\n  aide au logement [aide_au_logement] oui ou non",
    ],
}

#: French names of the grammar's terminals, for generic "attendu : …" messages.
TERMINAL_NAMES: dict[str, str] = {
    "NAME": "un nom",
    "STRING": "un texte entre « »",
    "SERVICE_CODE": "un code de service en majuscules",
    "IDENT": "un nom technique (minuscules et _)",
    "INT": "un nombre entier",
    "DECIMAL": "un nombre décimal",
    "MONEY": "un montant en euros",
    "DATE": "une date",
    "CODE_LITERAL": "un code",
    "VERSION_TEXT": "un numéro de version",
    "COMMENT": "un commentaire",
    "COLON": "« : »",
    "COMMA": "« , »",
    "LPAR": "« ( »",
    "RPAR": "« ) »",
    "LSQB": "« [ »",
    "RSQB": "« ] »",
    "$END": "la fin du fichier",
    "CHARTE": "« charte »",
    "REFERENCE": "« référence »",
    "VERSION": "« version »",
    "EN_VIGUEUR_A_PARTIR_DU": "« en vigueur à partir du »",
    "EN_VIGUEUR_DU": "« en vigueur du »",
    "AU": "« au »",
    "SERVICES": "« services »",
    "UNITE_SELON": "« unité selon la table »",
    "D_APRES": "« d'après »",
    "DONNEES_DU_MENAGE": "« données du ménage »",
    "OUI_OU_NON": "« oui ou non »",
    "NOMBRE_ENTIER": "« nombre entier »",
    "MONTANT_EN_EUROS": "« montant en euros »",
    "DATE_TYPE": "« date »",
    "CODE_TYPE": "« code »",
    "CODE_SHAPE": "« code commune » ou « code de 5 chiffres »",
    "ETAPE_PARMI": "« étape parmi »",
    "VALEUR_PARMI": "« valeur parmi »",
    "D_AU_MOINS": "« d'au moins »",
    "D_AU_PLUS": "« d'au plus »",
    "PEUT_ETRE_INCONNU": "« peut être inconnu »",
    "PAR_DEFAUT": "« par défaut »",
    "ENSEMBLE": "« ensemble »",
    "TABLE": "« table »",
    "FICHIER": "« fichier »",
    "CLE": "« clé »",
    "VALEUR": "« valeur »",
    "CODE_ABSENT": "« code absent »",
    "REFUSER": "« refuser »",
    "DEFINITION": "« définition »",
    "INDICATEUR": "« indicateur »",
    "REGLE": "« règle »",
    "PAR_EXCEPTION_A": "« par exception à »",
    "TEXTE": "« texte »",
    "SI": "« si »",
    "ALORS": "« alors »",
    "DANS_TOUS_LES_AUTRES_CAS": "« dans tous les autres cas »",
    "SINON": "« sinon »",
    "OU": "« ou »",
    "ET": "« et »",
    "NON": "« non »",
    "OUI": "« oui »",
    "EST": "« est »",
    "N_EST_PAS": "« n'est pas »",
    "AU_MOINS": "« au moins »",
    "AU_PLUS": "« au plus »",
    "PLUS_DE": "« plus de »",
    "MOINS_DE": "« moins de »",
    "ENTRE": "« entre »",
    "PARMI": "« parmi »",
    "DANS": "« dans »",
    "INCONNU": "« inconnu »",
    "CONNU": "« connu »",
    "FOIS": "« fois »",
    "EXEMPLE": "« exemple »",
    "ATTENDU": "« attendu »",
    "PAR": "« par »",
}
