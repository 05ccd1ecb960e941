"""`repartition servir`: the HTTP decision service and the secretariat's form, run by uvicorn."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..errors import RepartitionError

if TYPE_CHECKING:  # imported where the service starts: other commands do not pay for them
    import socket

__all__ = ["register", "run"]

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(commands) -> None:
    parser = commands.add_parser(
        "servir", help="sert la charte par HTTP : API JSON et formulaire du secrétariat",
        description="Lance le service de décision : POST /orienter (un ménage en JSON), POST /orienter/lot "
        "(un tableau JSON ou des lignes JSON), GET /charte, GET /charte/schema, GET /openapi.json, GET /sante, "
        "et le formulaire du secrétariat à l'adresse « / ». Quand la charte, une table ou le dossier des "
        "versions change, la nouvelle version est chargée et prouvée en arrière-plan ; elle ne remplace "
        "l'ancienne que si elle est prouvée (sinon /sante montre ses erreurs). Il faut l'option « service » "
        "à l'installation : pip install 'repartition[service]'.")
    parser.add_argument("--charte", required=True, metavar="FICHIER",
                        help="fichier de charte (.regles), ou dossier de ses versions successives (la version "
                        "en vigueur est choisie à chaque requête, ou par ?date=AAAA-MM-JJ)")
    parser.add_argument("--hote", default="127.0.0.1", metavar="ADRESSE",
                        help="adresse d'écoute (par défaut 127.0.0.1 : cette machine seulement ; le service n'a "
                        "pas d'authentification)")
    parser.add_argument("--port", type=_port, default=8000, metavar="PORT",
                        help="port d'écoute (par défaut 8000 ; 0 : un port libre, affiché au démarrage)")
    parser.add_argument("--journal", metavar="FICHIER",
                        help="journal des décisions (JSON Lines, une ligne par décision, ajoutée à la fin)")
    parser.add_argument("--journal-sans-faits", action="store_true",
                        help="n'écrit pas dans le journal les données lues (seulement l'empreinte du ménage)")
    parser.add_argument("--journal-synchrone", action="store_true",
                        help="chaque réponse attend que ses lignes du journal soient sur le disque (fsync)")
    parser.add_argument("--taille-max", type=_positive, default=None, metavar="OCTETS",
                        help="taille maximale d'une requête (par défaut 16 Mio ; au-delà : erreur 413)")
    parser.add_argument("--lot-max", type=_positive, default=None, metavar="N",
                        help="nombre maximal de ménages par POST /orienter/lot (par défaut 10 000)")
    parser.add_argument("--cors", action="append", default=[], metavar="ORIGINE",
                        help="origine autorisée à appeler le service depuis un navigateur (répétable ; aucune par "
                        "défaut), par exemple https://ccapex.exemple.fr")
    parser.add_argument("--intervalle", type=_seconds, default=1.0, metavar="SECONDES",
                        help="intervalle de surveillance des fichiers de la charte (par défaut 1 ; 0 : pas de "
                        "rechargement)")
    parser.set_defaults(run=run)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"port « {text} » invalide : attendu un nombre de 0 à 65535")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"« {text} » invalide : attendu un nombre entier positif")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"« {text} » invalide : attendu un nombre de secondes de 0 à 3600")
    return value


def run(args: argparse.Namespace) -> int:
    import importlib.util

    missing = [name for name in ("starlette", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        raise RepartitionError(f"servir : {' et '.join(missing)} absent(s) ; installez l'option « service » : "
                               "pip install 'repartition[service]'")
    import uvicorn

    from ..service import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY, create_app

    app = create_app(args.charte, journal=args.journal, journal_sync=args.journal_synchrone,
                     journal_facts=not args.journal_sans_faits, reload_interval=args.intervalle,
                     max_body=args.taille_max or DEFAULT_MAX_BODY, max_batch=args.lot_max or DEFAULT_MAX_BATCH,
                     cors_origins=args.cors)
    listening = _listen(args.hote, args.port)
    host, port = listening.getsockname()[:2]
    address = f"[{host}]" if ":" in host else host
    charter = app.state.service.source.catalogue.current
    version = f", version {charter.version}" if charter.version else ""
    print(f"Service de répartition à l'écoute sur http://{address}:{port}/ — charte « {charter.title} »{version}, "
          f"sha256 {charter.sha256}", flush=True)
    if args.hote not in _LOOPBACK:
        print(f"attention : le service écoute sur {args.hote} et n'a pas d'authentification ; placez-le derrière "
              "un serveur qui contrôle les accès.", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="error", access_log=False, server_header=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[listening])
    return 0


def _listen(host: str, port: int) -> "socket.socket":
    """A listening socket, or a French error saying why not."""
    import errno
    import socket

    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        raise RepartitionError(f"servir : adresse « {host} » inconnue") from None
    listening = socket.socket(family, kind, protocol)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen(2048)
    except OSError as error:
        listening.close()
        reasons = {errno.EADDRINUSE: "le port est déjà utilisé", errno.EACCES: "accès refusé (port réservé)",
                   errno.EADDRNOTAVAIL: "adresse absente de cette machine"}
        reason = reasons.get(error.errno, f"erreur système (errno {error.errno})")
        raise RepartitionError(f"servir : impossible d'écouter sur {host}:{port} : {reason}") from None
    listening.set_inheritable(True)
    return listening
