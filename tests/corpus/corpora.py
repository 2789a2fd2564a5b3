"""The corpora heaplint's precision is measured on: Debian packages, downloaded as .deb files, and
PyPI packages, downloaded as pinned wheels, unpacked (never installed, never committed) into a
cache directory.

Three corpora the rules were first tuned on (CPython, Django, SymPy) and the twenty packages of the
development corpus (issue 10). Other packages are for checking that a change generalises; name them
with --extra on the scripts that take it.

The cache directory is $HEAPLINT_CORPUS_DIR, else ~/.cache/heaplint/corpora. Each corpus is unpacked
into a folder of its own, with a VERSIONS file naming the packages and versions it holds.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

DIST = "usr/lib/python3/dist-packages"

# name -> (Debian packages, folder inside the unpacked packages that heaplint is run on)
CORPORA = {
    # Tuned on since session 1.
    "cpython": (["libpython3.11-minimal", "libpython3.11-stdlib", "libpython3.11-testsuite"],
                "usr/lib/python3.11"),
    "django": (["python3-django"], DIST),
    "sympy": (["python3-sympy"], DIST),
    # The development corpus of issue 10.
    "aiohttp": (["python3-aiohttp"], DIST),
    "flask": (["python3-flask"], DIST),
    "werkzeug": (["python3-werkzeug"], DIST),
    "requests": (["python3-requests"], DIST),
    "urllib3": (["python3-urllib3"], DIST),
    "networkx": (["python3-networkx"], DIST),
    "scrapy": (["python3-scrapy"], DIST),
    "mypy": (["python3-mypy"], DIST),
    "astropy": (["python3-astropy"], DIST),
    "nltk": (["python3-nltk"], DIST),
    "gevent": (["python3-gevent"], DIST),
    "pyramid": (["python3-pyramid"], DIST),
    "xarray": (["python3-xarray"], DIST),
    # quodlibet's Python package ships in exfalso; buildbot's in buildbot (python3-buildbot is a
    # transitional package).
    "quodlibet": (["exfalso", "quodlibet"], DIST),
    "gajim": (["gajim"], DIST),
    "nova": (["python3-nova"], DIST),
    "keystone": (["python3-keystone"], DIST),
    "buildbot": (["buildbot"], DIST),
    "pyqtgraph": (["python3-pyqtgraph"], DIST),
    "sklearn": (["python3-sklearn"], DIST),
}

DEVELOPMENT = list(CORPORA)

# The check set: fifteen packages first run on 2026-12-03, after the rules were tuned on the
# development corpus, to see whether they generalise (`precision.py --check-set`). The default rules
# made 29 findings there and blind review judged none real; the rules changed for what that showed
# (docs/development.md), so from then on these are seen code too, and a fresh set is needed for
# the next such check.
CHECK_SET = {
    "x-twisted": (["python3-twisted"], DIST),
    "x-tornado": (["python3-tornado"], DIST),
    "x-sqlalchemy": (["python3-sqlalchemy"], DIST),
    "x-celery": (["python3-celery"], DIST),
    "x-paramiko": (["python3-paramiko"], DIST),
    "x-jinja2": (["python3-jinja2"], DIST),
    "x-pygments": (["python3-pygments"], DIST),
    "x-docutils": (["python3-docutils"], DIST),
    "x-botocore": (["python3-botocore"], DIST),
    "x-matplotlib": (["python3-matplotlib"], DIST),
    "x-pandas": (["python3-pandas"], DIST),
    "x-ansible": (["ansible-core"], DIST),
    "x-kombu": (["python3-kombu"], DIST),
    "x-distributed": (["python3-distributed"], DIST),
    "x-dask": (["python3-dask"], DIST),
}

# The second check set: packages first run on 2026-12-03 (ninth session), after the first check
# set's lessons, to measure again on code the rules have never seen (`precision.py --check-set 2`).
CHECK_SET_2 = {
    "y-sphinx": (["python3-sphinx"], DIST),
    "y-setuptools": (["python3-setuptools"], DIST),
    "y-pip": (["python3-pip"], DIST),
    "y-ipython": (["python3-ipython"], DIST),
    "y-jedi": (["python3-jedi"], DIST),
    "y-hypothesis": (["python3-hypothesis"], DIST),
    "y-babel": (["python3-babel"], DIST),
    "y-mako": (["python3-mako"], DIST),
    "y-alembic": (["python3-alembic"], DIST),
    "y-eventlet": (["python3-eventlet"], DIST),
    "y-scipy": (["python3-scipy"], DIST),
    "y-numpy": (["python3-numpy"], DIST),
    "y-starlette": (["python3-starlette"], DIST),
    "y-uvicorn": (["python3-uvicorn"], DIST),
    "y-websockets": (["python3-websockets"], DIST),
    "y-trio": (["python3-trio"], DIST),
    "y-anyio": (["python3-anyio"], DIST),
    "y-httpx": (["python3-httpx"], DIST),
    "y-prompt-toolkit": (["python3-prompt-toolkit"], DIST),
    "y-statsmodels": (["python3-statsmodels"], DIST),
    "y-pil": (["python3-pil"], DIST),
    "y-apscheduler": (["python3-apscheduler"], DIST),
    "y-zmq": (["python3-zmq"], DIST),
    "y-dogpile.cache": (["python3-dogpile.cache"], DIST),
    "y-kazoo": (["python3-kazoo"], DIST),
    "y-pika": (["python3-pika"], DIST),
    "y-redis": (["python3-redis"], DIST),
    "y-openpyxl": (["python3-openpyxl"], DIST),
    "y-reportlab": (["python3-reportlab"], DIST),
    "y-dnspython": (["python3-dnspython"], DIST),
    "y-fastapi": (["python3-fastapi"], DIST),
    "y-falcon": (["python3-falcon"], DIST),
    "y-cherrypy3": (["python3-cherrypy3"], DIST),
    "y-webob": (["python3-webob"], DIST),
}

# The third check set: packages first run on 2026-12-03 (ninth session) after the rules changed for
# the second, to see whether those changes generalise (`precision.py --check-set 3`); many are
# long-running services (OpenStack, servers, database drivers).
CHECK_SET_3 = {
    "z-neutron": (["python3-neutron"], DIST),
    "z-cinder": (["python3-cinder"], DIST),
    "z-glance": (["python3-glance"], DIST),
    "z-heat": (["python3-heat"], DIST),
    "z-swift": (["python3-swift"], DIST),
    "z-oslo.messaging": (["python3-oslo.messaging"], DIST),
    "z-oslo.db": (["python3-oslo.db"], DIST),
    "z-gunicorn": (["python3-gunicorn"], DIST),
    "z-waitress": (["python3-waitress"], DIST),
    "z-autobahn": (["python3-autobahn"], DIST),
    "z-zeroconf": (["python3-zeroconf"], DIST),
    "z-elasticsearch": (["python3-elasticsearch"], DIST),
    "z-pymongo": (["python3-pymongo"], DIST),
    "z-cassandra": (["python3-cassandra"], DIST),
    "z-kafka": (["python3-kafka"], DIST),
    "z-marshmallow": (["python3-marshmallow"], DIST),
    "z-pydantic": (["python3-pydantic"], DIST),
    "z-jsonschema": (["python3-jsonschema"], DIST),
    "z-rdflib": (["python3-rdflib"], DIST),
    "z-mpmath": (["python3-mpmath"], DIST),
    "z-biopython": (["python3-biopython"], DIST),
    "z-ase": (["python3-ase"], DIST),
    "z-mutagen": (["python3-mutagen"], DIST),
    "z-yt-dlp": (["yt-dlp"], DIST),
    "z-feedparser": (["python3-feedparser"], DIST),
    "z-markdown": (["python3-markdown"], DIST),
    "z-traitlets": (["python3-traitlets"], DIST),
    "z-ipykernel": (["python3-ipykernel"], DIST),
    "z-jupyter-client": (["python3-jupyter-client"], DIST),
    "z-tqdm": (["python3-tqdm"], DIST),
    "z-click": (["python3-click"], DIST),
    "z-rich": (["python3-rich"], DIST),
    "z-urwid": (["python3-urwid"], DIST),
    "z-libcloud": (["python3-libcloud"], DIST),
    "z-certbot": (["python3-certbot"], DIST),
    "z-psutil": (["python3-psutil"], DIST),
    "z-watchdog": (["python3-watchdog"], DIST),
    "z-git": (["python3-git"], DIST),
    "z-dulwich": (["python3-dulwich"], DIST),
    "z-mercurial-common": (["mercurial-common"], DIST),
    "z-breezy": (["python3-breezy"], DIST),
    "z-meson": (["meson"], DIST),
    "z-scons": (["scons"], DIST),
    "z-chameleon": (["python3-chameleon"], DIST),
    "z-genshi": (["python3-genshi"], DIST),
    "z-amqp": (["python3-amqp"], DIST),
    "z-pdfminer": (["python3-pdfminer"], DIST),
    "z-selenium": (["python3-selenium"], DIST),
    "z-coverage": (["python3-coverage"], DIST),
    "z-pylint": (["pylint"], DIST),
    "z-astroid": (["python3-astroid"], DIST),
    "z-rope": (["python3-rope"], DIST),
    "z-black": (["black"], DIST),
    "z-isort": (["python3-isort"], DIST),
}

# The fourth check set: packages first run on 2026-12-03 (ninth session) after the rules changed for
# the third, to measure the changes on code they were not made for (`precision.py --check-set 4`).
CHECK_SET_4 = {
    "w-scapy": (["python3-scapy"], DIST),
    "w-impacket": (["python3-impacket"], DIST),
    "w-pysnmp4": (["python3-pysnmp4"], DIST),
    "w-docker": (["python3-docker"], DIST),
    "w-djangorestframework": (["python3-djangorestframework"], DIST),
    "w-django-extensions": (["python3-django-extensions"], DIST),
    "w-django-debug-toolbar": (["python3-django-debug-toolbar"], DIST),
    "w-daphne": (["python3-daphne"], DIST),
    "w-zope.interface": (["python3-zope.interface"], DIST),
    "w-persistent": (["python3-persistent"], DIST),
    "w-btrees": (["python3-btrees"], DIST),
    "w-transaction": (["python3-transaction"], DIST),
    "w-txaio": (["python3-txaio"], DIST),
    "w-treq": (["python3-treq"], DIST),
    "w-hyperlink": (["python3-hyperlink"], DIST),
    "w-boto3": (["python3-boto3"], DIST),
    "w-s3transfer": (["python3-s3transfer"], DIST),
    "w-google-auth": (["python3-google-auth"], DIST),
    "w-googleapi": (["python3-googleapi"], DIST),
    "w-httplib2": (["python3-httplib2"], DIST),
    "w-requests-toolbelt": (["python3-requests-toolbelt"], DIST),
    "w-responses": (["python3-responses"], DIST),
    "w-vcr": (["python3-vcr"], DIST),
    "w-freezegun": (["python3-freezegun"], DIST),
    "w-factory-boy": (["python3-factory-boy"], DIST),
    "w-testtools": (["python3-testtools"], DIST),
    "w-stestr": (["python3-stestr"], DIST),
    "w-subunit": (["python3-subunit"], DIST),
    "w-stevedore": (["python3-stevedore"], DIST),
    "w-cliff": (["python3-cliff"], DIST),
    "w-cmd2": (["python3-cmd2"], DIST),
    "w-prettytable": (["python3-prettytable"], DIST),
    "w-tabulate": (["python3-tabulate"], DIST),
    "w-blessed": (["python3-blessed"], DIST),
    "w-ruamel.yaml": (["python3-ruamel.yaml"], DIST),
    "w-yaml": (["python3-yaml"], DIST),
    "w-tomlkit": (["python3-tomlkit"], DIST),
    "w-jmespath": (["python3-jmespath"], DIST),
    "w-dateutil": (["python3-dateutil"], DIST),
    "w-arrow": (["python3-arrow"], DIST),
    "w-pendulum": (["python3-pendulum"], DIST),
    "w-humanize": (["python3-humanize"], DIST),
    "w-netaddr": (["python3-netaddr"], DIST),
    "w-keyring": (["python3-keyring"], DIST),
    "w-xlib": (["python3-xlib"], DIST),
    "w-plumbum": (["python3-plumbum"], DIST),
    "w-invoke": (["python3-invoke"], DIST),
    "w-fabric": (["python3-fabric"], DIST),
    "w-consul": (["python3-consul"], DIST),
    "w-rq": (["python3-rq"], DIST),
    "w-croniter": (["python3-croniter"], DIST),
    "w-paho-mqtt": (["python3-paho-mqtt"], DIST),
    "w-zeep": (["python3-zeep"], DIST),
    "w-msgpack": (["python3-msgpack"], DIST),
    "w-construct": (["python3-construct"], DIST),
    "w-serial": (["python3-serial"], DIST),
    "w-usb": (["python3-usb"], DIST),
    "w-imageio": (["python3-imageio"], DIST),
    "w-tifffile": (["python3-tifffile"], DIST),
    "w-pyproj": (["python3-pyproj"], DIST),
    "w-shapely": (["python3-shapely"], DIST),
    "w-geopandas": (["python3-geopandas"], DIST),
    "w-plotly": (["python3-plotly"], DIST),
    "w-seaborn": (["python3-seaborn"], DIST),
    "w-skimage": (["python3-skimage"], DIST),
    "w-gensim": (["python3-gensim"], DIST),
    "w-wtforms": (["python3-wtforms"], DIST),
    "w-flask-sqlalchemy": (["python3-flask-sqlalchemy"], DIST),
    "w-bottle": (["python3-bottle"], DIST),
    "w-sqlalchemy-utils": (["python3-sqlalchemy-utils"], DIST),
    "w-peewee": (["python3-peewee"], DIST),
    "w-pony": (["python3-pony"], DIST),
}

# The fifth check set: packages first run on 2026-12-03 (tenth session), none of them seen by the
# rules or their authors before, to measure the default rules on unseen code again
# (`precision.py --check-set 5`): servers and daemons (fail2ban, supervisor, Mailman, OpenStack
# Ironic/Designate/Manila/Octavia), async libraries, caches and parsers.
CHECK_SET_5 = {
    "v-fail2ban": (["fail2ban"], DIST),
    "v-supervisor": (["supervisor"], DIST),
    "v-glances": (["glances"], DIST),
    "v-graphite-carbon": (["graphite-carbon"], DIST),
    "v-whisper": (["python3-whisper"], DIST),
    "v-ironic": (["python3-ironic"], DIST),
    "v-designate": (["python3-designate"], DIST),
    "v-manila": (["python3-manila"], DIST),
    "v-octavia": (["python3-octavia"], DIST),
    "v-os-ken": (["python3-os-ken"], DIST),
    "v-mitmproxy": (["mitmproxy"], DIST),
    "v-beets": (["beets"], "usr/share/beets"),
    "v-duplicity": (["duplicity"], DIST),
    "v-borgbackup": (["borgbackup"], DIST),
    "v-radicale": (["python3-radicale"], DIST),
    "v-mailman3": (["mailman3"], DIST),
    "v-prometheus-client": (["python3-prometheus-client"], DIST),
    "v-h11": (["python3-h11"], DIST),
    "v-h2": (["python3-h2"], DIST),
    "v-wsproto": (["python3-wsproto"], DIST),
    "v-socketio": (["python3-socketio"], DIST),
    "v-engineio": (["python3-engineio"], DIST),
    "v-slixmpp": (["python3-slixmpp"], DIST),
    "v-nbxmpp": (["python3-nbxmpp"], DIST),
    "v-pysaml2": (["python3-pysaml2"], DIST),
    "v-ldap3": (["python3-ldap3"], DIST),
    "v-pymysql": (["python3-pymysql"], DIST),
    "v-sqlparse": (["python3-sqlparse"], DIST),
    "v-bs4": (["python3-bs4"], DIST),
    "v-html5lib": (["python3-html5lib"], DIST),
    "v-bleach": (["python3-bleach"], DIST),
    "v-cachetools": (["python3-cachetools"], DIST),
    "v-boltons": (["python3-boltons"], DIST),
    "v-attr": (["python3-attr"], DIST),
    "v-fonttools": (["python3-fonttools"], DIST),
    "v-tables": (["python3-tables"], DIST),
    "v-pint": (["python3-pint"], DIST),
    "v-nbformat": (["python3-nbformat"], DIST),
    "v-nbconvert": (["python3-nbconvert"], DIST),
    "v-notebook": (["python3-notebook"], DIST),
    "v-lark": (["python3-lark"], DIST),
    "v-parso": (["python3-parso"], DIST),
    "v-ply": (["python3-ply"], DIST),
    "v-pexpect": (["python3-pexpect"], DIST),
    "v-pyudev": (["python3-pyudev"], DIST),
    "v-structlog": (["python3-structlog"], DIST),
    "v-icalendar": (["python3-icalendar"], DIST),
    "v-vobject": (["python3-vobject"], DIST),
    "v-oauthlib": (["python3-oauthlib"], DIST),
    "v-markdown-it": (["python3-markdown-it"], DIST),
    "v-mistune": (["python3-mistune"], DIST),
    "v-taskflow": (["python3-taskflow"], DIST),
    "v-oslo.config": (["python3-oslo.config"], DIST),
    "v-oslo.utils": (["python3-oslo.utils"], DIST),
    "v-keystoneauth1": (["python3-keystoneauth1"], DIST),
    "v-novaclient": (["python3-novaclient"], DIST),
    "v-pytest": (["python3-pytest"], DIST),
    "v-pluggy": (["python3-pluggy"], DIST),
    "v-tox": (["tox"], DIST),
    "v-virtualenv": (["python3-virtualenv"], DIST),
    "v-asyncssh": (["python3-asyncssh"], DIST),
    "v-aiortc": (["python3-aiortc"], DIST),
    "v-quart": (["python3-quart"], DIST),
    "v-hypercorn": (["python3-hypercorn"], DIST),
    "v-pyvmomi": (["python3-pyvmomi"], DIST),
    "v-pydot": (["python3-pydot"], DIST),
    "v-altair": (["python3-altair"], DIST),
    "v-uncertainties": (["python3-uncertainties"], DIST),
    "v-pulp": (["python3-pulp"], DIST),
    "v-influxdb": (["python3-influxdb"], DIST),
    "v-deluge-common": (["deluge-common"], DIST),
    "v-buildbot-worker": (["buildbot-worker"], DIST),
    "v-tweepy": (["python3-tweepy"], DIST),
    "v-sentry-sdk": (["python3-sentry-sdk"], DIST),
    "v-motor": (["python3-motor"], DIST),
    "v-asyncpg": (["python3-asyncpg"], DIST),
    "v-aiomysql": (["python3-aiomysql"], DIST),
    "v-pymemcache": (["python3-pymemcache"], DIST),
    "v-diskcache": (["python3-diskcache"], DIST),
    "v-cachelib": (["python3-cachelib"], DIST),
    "v-limits": (["python3-limits"], DIST),
    "v-tenacity": (["python3-tenacity"], DIST),
    "v-pebble": (["python3-pebble"], DIST),
    "v-joblib": (["python3-joblib"], DIST),
    "v-dill": (["python3-dill"], DIST),
    "v-objgraph": (["python3-objgraph"], DIST),
    "v-memory-profiler": (["python3-memory-profiler"], DIST),
}

# The sixth check set: packages first run on 2026-12-03 (eleventh session), none of them seen by
# the rules or their authors before. Unlike the first five, picked at random: a seeded shuffle of
# Debian bookworm's architecture-independent python3-* packages of 400 KB to 8 MB installed that
# no other set or corpus uses (documentation, test-data, wheel and static-asset packages left out),
# the first 90 taken (`precision.py --check-set 6`).
CHECK_SET_6 = {
    "u-elgato-streamdeck": (["python3-elgato-streamdeck"], DIST),
    "u-emmet-core": (["python3-emmet-core"], DIST),
    "u-magnum-ui": (["python3-magnum-ui"], DIST),
    "u-plastex": (["python3-plastex"], DIST),
    "u-asn1crypto": (["python3-asn1crypto"], DIST),
    "u-kanjidraw": (["python3-kanjidraw"], DIST),
    "u-braintree": (["python3-braintree"], DIST),
    "u-folium": (["python3-folium"], DIST),
    "u-pynag": (["python3-pynag"], DIST),
    "u-powerline": (["python3-powerline"], DIST),
    "u-securesystemslib": (["python3-securesystemslib"], DIST),
    "u-logilab-common": (["python3-logilab-common"], DIST),
    "u-avro": (["python3-avro"], DIST),
    "u-pyvisa": (["python3-pyvisa"], DIST),
    "u-dyda": (["python3-dyda"], DIST),
    "u-moderngl-window": (["python3-moderngl-window"], DIST),
    "u-paste": (["python3-paste"], DIST),
    "u-tosca-parser": (["python3-tosca-parser"], DIST),
    "u-langdetect": (["python3-langdetect"], DIST),
    "u-spectral": (["python3-spectral"], DIST),
    "u-wcwidth": (["python3-wcwidth"], DIST),
    "u-senlin-dashboard": (["python3-senlin-dashboard"], DIST),
    "u-hinawa-utils": (["python3-hinawa-utils"], DIST),
    "u-masakari": (["python3-masakari"], DIST),
    "u-snowballstemmer": (["python3-snowballstemmer"], DIST),
    "u-transforms3d": (["python3-transforms3d"], DIST),
    "u-pyspectral": (["python3-pyspectral"], DIST),
    "u-oslo.vmware": (["python3-oslo.vmware"], DIST),
    "u-graphene": (["python3-graphene"], DIST),
    "u-grapefruit": (["python3-grapefruit"], DIST),
    "u-binwalk": (["python3-binwalk"], DIST),
    "u-poliastro": (["python3-poliastro"], DIST),
    "u-cylc": (["python3-cylc"], DIST),
    "u-dbf": (["python3-dbf"], DIST),
    "u-pywws": (["python3-pywws"], DIST),
    "u-ffc": (["python3-ffc"], DIST),
    "u-patsy": (["python3-patsy"], DIST),
    "u-python-utils": (["python3-python-utils"], DIST),
    "u-bloom": (["python3-bloom"], DIST),
    "u-django-crispy-forms": (["python3-django-crispy-forms"], DIST),
    "u-vitrage-dashboard": (["python3-vitrage-dashboard"], DIST),
    "u-praw": (["python3-praw"], DIST),
    "u-mailmanclient": (["python3-mailmanclient"], DIST),
    "u-gpapi": (["python3-gpapi"], DIST),
    "u-passlib": (["python3-passlib"], DIST),
    "u-whoosh": (["python3-whoosh"], DIST),
    "u-troveclient": (["python3-troveclient"], DIST),
    "u-zc.buildout": (["python3-zc.buildout"], DIST),
    "u-cairocffi": (["python3-cairocffi"], DIST),
    "u-openid": (["python3-openid"], DIST),
    "u-weblogo": (["python3-weblogo"], DIST),
    "u-ironicclient": (["python3-ironicclient"], DIST),
    "u-brian": (["python3-brian"], DIST),
    "u-nose2": (["python3-nose2"], DIST),
    "u-apptools": (["python3-apptools"], DIST),
    "u-nototools": (["python3-nototools"], DIST),
    "u-ttconv": (["python3-ttconv"], DIST),
    "u-x2go": (["python3-x2go"], DIST),
    "u-xsdata": (["python3-xsdata"], DIST),
    "u-ara": (["python3-ara"], DIST),
    "u-pbsuite-utils": (["python3-pbsuite-utils"], DIST),
    "u-pylatexenc": (["python3-pylatexenc"], DIST),
    "u-junos-eznc": (["python3-junos-eznc"], DIST),
    "u-recipe-scrapers": (["python3-recipe-scrapers"], DIST),
    "u-zigpy": (["python3-zigpy"], DIST),
    "u-pychopper": (["python3-pychopper"], DIST),
    "u-can": (["python3-can"], DIST),
    "u-pbcore": (["python3-pbcore"], DIST),
    "u-ipalib": (["python3-ipalib"], DIST),
    "u-griddataformats": (["python3-griddataformats"], DIST),
    "u-pyocd": (["python3-pyocd"], DIST),
    "u-license-expression": (["python3-license-expression"], DIST),
    "u-mistral": (["python3-mistral"], DIST),
    "u-ibm-watson": (["python3-ibm-watson"], DIST),
    "u-palettable": (["python3-palettable"], DIST),
    "u-qwt": (["python3-qwt"], DIST),
    "u-stone": (["python3-stone"], DIST),
    "u-treetime": (["python3-treetime"], DIST),
    "u-bqplot": (["python3-bqplot"], DIST),
    "u-glad": (["python3-glad"], DIST),
    "u-azure-storage": (["python3-azure-storage"], DIST),
    "u-periodictable": (["python3-periodictable"], DIST),
    "u-rally": (["python3-rally"], DIST),
    "u-chardet": (["python3-chardet"], DIST),
    "u-emoji": (["python3-emoji"], DIST),
    "u-formencode": (["python3-formencode"], DIST),
    "u-pecan": (["python3-pecan"], DIST),
    "u-pymodbus": (["python3-pymodbus"], DIST),
    "u-apparmor": (["python3-apparmor"], DIST),
    "u-semantic-release": (["python3-semantic-release"], DIST),
}

# The seventh set (twentieth session), the first from PyPI: wheels of 90 packages picked at random
# (seeded shuffle, seed 20261204) from 225 well-known PyPI projects that no corpus or earlier set
# holds, by name. Unpacked wheels, like Debian's dist-packages, hold what an install holds.
CHECK_SET_7 = {
    "p-httpcore": (["pypi:httpcore==1.0.9"], ""),
    "p-pympler": (["pypi:pympler==1.1"], ""),
    "p-loguru": (["pypi:loguru==0.7.3"], ""),
    "p-mkdocs-material": (["pypi:mkdocs-material==9.8.2"], ""),
    "p-cookiecutter": (["pypi:cookiecutter==2.7.1"], ""),
    "p-databases": (["pypi:databases==0.9.0"], ""),
    "p-halo": (["pypi:halo==0.0.30"], ""),
    "p-peewee-async": (["pypi:peewee-async==2.1.0"], ""),
    "p-pyvis": (["pypi:pyvis==0.3.2"], ""),
    "p-python-memcached": (["pypi:python-memcached==1.62"], ""),
    "p-sqlglot": (["pypi:sqlglot==30.31.0"], ""),
    "p-lightning": (["pypi:lightning==2.6.6"], ""),
    "p-mouse": (["pypi:mouse==0.7.1"], ""),
    "p-decorator": (["pypi:decorator==5.3.1"], ""),
    "p-parsel": (["pypi:parsel==1.12.1"], ""),
    "p-awscli": (["pypi:awscli==1.46.3"], ""),
    "p-moto": (["pypi:moto==5.2.6"], ""),
    "p-sortedcontainers": (["pypi:sortedcontainers==2.4.0"], ""),
    "p-toolz": (["pypi:toolz==1.2.0"], ""),
    "p-charset-normalizer": (["pypi:charset-normalizer==3.5.3"], ""),
    "p-trafilatura": (["pypi:trafilatura==2.3.1"], ""),
    "p-itemadapter": (["pypi:itemadapter==0.13.1"], ""),
    "p-marshmallow-dataclass": (["pypi:marshmallow-dataclass==8.7.1"], ""),
    "p-streamlit": (["pypi:streamlit==1.67.0"], ""),
    "p-openai": (["pypi:openai==3.63.0"], ""),
    "p-sentence-transformers": (["pypi:sentence-transformers==6.3.0"], ""),
    "p-argcomplete": (["pypi:argcomplete==3.7.2"], ""),
    "p-retrying": (["pypi:retrying==1.4.2"], ""),
    "p-strawberry-graphql": (["pypi:strawberry-graphql==0.341.2"], ""),
    "p-channels": (["pypi:channels==4.3.2"], ""),
    "p-colorama": (["pypi:colorama==0.4.6"], ""),
    "p-pydash": (["pypi:pydash==8.1.0"], ""),
    "p-statsd": (["pypi:statsd==4.0.1"], ""),
    "p-returns": (["pypi:returns==0.30.0"], ""),
    "p-prefect": (["pypi:prefect==3.9.1"], ""),
    "p-pipenv": (["pypi:pipenv==2026.10.3"], ""),
    "p-rustworkx": (["pypi:rustworkx==0.18.1"], ""),
    "p-python-dotenv": (["pypi:python-dotenv==1.2.4"], ""),
    "p-guppy3": (["pypi:guppy3==3.1.7"], ""),
    "p-locust": (["pypi:locust==2.47.0"], ""),
    "p-copier": (["pypi:copier==9.19.1"], ""),
    "p-igraph": (["pypi:igraph==1.0.0"], ""),
    "p-pyrsistent": (["pypi:pyrsistent==0.20.0"], ""),
    "p-backoff": (["pypi:backoff==2.2.1"], ""),
    "p-texttable": (["pypi:texttable==1.7.2"], ""),
    "p-tomli": (["pypi:tomli==2.5.0"], ""),
    "p-psycopg": (["pypi:psycopg==3.3.9"], ""),
    "p-alive-progress": (["pypi:alive-progress==3.3.0"], ""),
    "p-schema": (["pypi:schema==0.7.8"], ""),
    "p-python-multipart": (["pypi:python-multipart==0.0.34"], ""),
    "p-pyvirtualdisplay": (["pypi:pyvirtualdisplay==3.0"], ""),
    "p-tortoise-orm": (["pypi:tortoise-orm==1.1.9"], ""),
    "p-python-pptx": (["pypi:python-pptx==1.0.2"], ""),
    "p-nbclient": (["pypi:nbclient==0.11.0"], ""),
    "p-xlsxwriter": (["pypi:xlsxwriter==3.3.1"], ""),
    "p-ddtrace": (["pypi:ddtrace==4.16.0"], ""),
    "p-pyinstrument": (["pypi:pyinstrument==5.1.3"], ""),
    "p-pynput": (["pypi:pynput==1.8.2"], ""),
    "p-funcy": (["pypi:funcy==2.1"], ""),
    "p-greenlet": (["pypi:greenlet==3.5.6"], ""),
    "p-snowflake-connector-python": (["pypi:snowflake-connector-python==5.2.0"], ""),
    "p-huey": (["pypi:huey==3.5.4"], ""),
    "p-pywinauto": (["pypi:pywinauto==0.6.9"], ""),
    "p-xlrd": (["pypi:xlrd==2.0.2"], ""),
    "p-s3fs": (["pypi:s3fs==2026.9.0"], ""),
    "p-chromadb": (["pypi:chromadb==1.5.9"], ""),
    "p-pyparsing": (["pypi:pyparsing==3.3.3"], ""),
    "p-pytest-xdist": (["pypi:pytest-xdist==3.8.0"], ""),
    "p-jmespath-community": (["pypi:jmespath-community==1.1.3"], ""),
    "p-opentelemetry-api": (["pypi:opentelemetry-api==1.45.3"], ""),
    "p-mlflow-skinny": (["pypi:mlflow-skinny==3.18.0"], ""),
    "p-qdrant-client": (["pypi:qdrant-client==1.20.0"], ""),
    "p-holoviews": (["pypi:holoviews==1.23.2"], ""),
    "p-voluptuous": (["pypi:voluptuous==0.16.0"], ""),
    "p-more-itertools": (["pypi:more-itertools==11.2.1"], ""),
    "p-keras": (["pypi:keras==3.15.1"], ""),
    "p-confluent-kafka": (["pypi:confluent-kafka==2.16.1"], ""),
    "p-glom": (["pypi:glom==25.12.0"], ""),
    "p-suds-community": (["pypi:suds-community==1.2.0"], ""),
    "p-flask-caching": (["pypi:flask-caching==2.5.1"], ""),
    "p-websocket-client": (["pypi:websocket-client==1.9.2"], ""),
    "p-jsondiff": (["pypi:jsondiff==2.2.1"], ""),
    "p-connexion": (["pypi:connexion==3.3.0"], ""),
    "p-uvloop": (["pypi:uvloop==0.23.0"], ""),
    "p-networkit": (["pypi:networkit==11.3"], ""),
    "p-bokeh": (["pypi:bokeh==3.9.2"], ""),
    "p-anthropic": (["pypi:anthropic==2.17.0"], ""),
    "p-pyquery": (["pypi:pyquery==2.1.0"], ""),
    "p-addict": (["pypi:addict==2.4.0"], ""),
    "p-idna": (["pypi:idna==3.20"], ""),
}

# The eighth set (twentieth session), from PyPI too, run once the seventh set's findings had
# changed the rules: the first 90 of a seeded shuffle (seed 20261205) of 229 more PyPI projects
# that no corpus or earlier set holds, leaving out one without a wheel (bjoern).
CHECK_SET_8 = {
    "q-geopy": (["pypi:geopy==2.5.0"], ""),
    "q-unidecode": (["pypi:unidecode==1.4.0"], ""),
    "q-pydrive2": (["pypi:pydrive2==1.21.3"], ""),
    "q-autogluon": (["pypi:autogluon==1.6.3"], ""),
    "q-flask-cors": (["pypi:flask-cors==6.0.5"], ""),
    "q-radon": (["pypi:radon==6.0.1"], ""),
    "q-splinter": (["pypi:splinter==0.21.0"], ""),
    "q-ansible-runner": (["pypi:ansible-runner==2.4.3"], ""),
    "q-mccabe": (["pypi:mccabe==0.7.0"], ""),
    "q-wily": (["pypi:wily==1.25.0"], ""),
    "q-pytype": (["pypi:pytype==2024.10.11"], ""),
    "q-django-allauth": (["pypi:django-allauth==65.22.1"], ""),
    "q-granian": (["pypi:granian==2.8.9"], ""),
    "q-pygal": (["pypi:pygal==3.1.3"], ""),
    "q-dpkt": (["pypi:dpkt==1.9.8"], ""),
    "q-fastapi-cache2": (["pypi:fastapi-cache2==0.2.2"], ""),
    "q-graphviz": (["pypi:graphviz==0.21"], ""),
    "q-inflection": (["pypi:inflection==0.5.1"], ""),
    "q-openshift": (["pypi:openshift==0.13.2"], ""),
    "q-dash-bootstrap-components": (["pypi:dash-bootstrap-components==2.0.4"], ""),
    "q-robotframework": (["pypi:robotframework==7.5"], ""),
    "q-nbdime": (["pypi:nbdime==4.0.4"], ""),
    "q-google-cloud-bigquery": (["pypi:google-cloud-bigquery==3.47.0"], ""),
    "q-django-model-utils": (["pypi:django-model-utils==5.0.0"], ""),
    "q-maya": (["pypi:maya==0.6.1"], ""),
    "q-behave": (["pypi:behave==1.3.3"], ""),
    "q-sktime": (["pypi:sktime==1.2.0"], ""),
    "q-pytest-benchmark": (["pypi:pytest-benchmark==5.3.1"], ""),
    "q-flask-jwt-extended": (["pypi:flask-jwt-extended==4.7.4"], ""),
    "q-basedpyright": (["pypi:basedpyright==1.40.2"], ""),
    "q-napalm": (["pypi:napalm==5.2.0"], ""),
    "q-keplergl": (["pypi:keplergl==0.4.0"], ""),
    "q-pytest-rerunfailures": (["pypi:pytest-rerunfailures==16.7"], ""),
    "q-typing-extensions": (["pypi:typing-extensions==4.16.0"], ""),
    "q-pyre-check": (["pypi:pyre-check==0.10.0"], ""),
    "q-typeguard": (["pypi:typeguard==4.6.1"], ""),
    "q-django-celery-results": (["pypi:django-celery-results==2.6.0"], ""),
    "q-dateparser": (["pypi:dateparser==1.5.0"], ""),
    "q-gevent-websocket": (["pypi:gevent-websocket==0.10.1"], ""),
    "q-django-environ": (["pypi:django-environ==0.14.0"], ""),
    "q-pypsrp": (["pypi:pypsrp==0.9.1"], ""),
    "q-flet": (["pypi:flet==1.0.5"], ""),
    "q-undetected-chromedriver": (["pypi:undetected-chromedriver==3.1.6"], ""),
    "q-discord.py": (["pypi:discord.py==2.7.1"], ""),
    "q-prospector": (["pypi:prospector==1.20.0"], ""),
    "q-smbprotocol": (["pypi:smbprotocol==1.17.0"], ""),
    "q-iso3166": (["pypi:iso3166==3.0.0"], ""),
    "q-neuralprophet": (["pypi:neuralprophet==0.9.0"], ""),
    "q-gluonts": (["pypi:gluonts==0.17.0"], ""),
    "q-flask-migrate": (["pypi:flask-migrate==4.1.0"], ""),
    "q-autoflake": (["pypi:autoflake==2.4.0"], ""),
    "q-flaml": (["pypi:flaml==2.8.0"], ""),
    "q-flask-smorest": (["pypi:flask-smorest==0.47.0"], ""),
    "q-griffe": (["pypi:griffe==2.4.1"], ""),
    "q-pyflakes": (["pypi:pyflakes==4.1.0"], ""),
    "q-myst-nb": (["pypi:myst-nb==1.4.0"], ""),
    "q-django-simple-history": (["pypi:django-simple-history==3.13.0"], ""),
    "q-tsfresh": (["pypi:tsfresh==0.21.2"], ""),
    "q-django-taggit": (["pypi:django-taggit==6.1.0"], ""),
    "q-requests-futures": (["pypi:requests-futures==1.1.0"], ""),
    "q-pytz-deprecation-shim": (["pypi:pytz-deprecation-shim==0.1.0.post0"], ""),
    "q-twilio": (["pypi:twilio==9.13.0"], ""),
    "q-httpie": (["pypi:httpie==3.2.4"], ""),
    "q-pycaret": (["pypi:pycaret==3.3.2"], ""),
    "q-django-polymorphic": (["pypi:django-polymorphic==4.11.7"], ""),
    "q-django-mptt": (["pypi:django-mptt==0.20.0"], ""),
    "q-podman": (["pypi:podman==5.8.0"], ""),
    "q-osmnx": (["pypi:osmnx==2.1.1"], ""),
    "q-proxmoxer": (["pypi:proxmoxer==2.3.0"], ""),
    "q-geojson": (["pypi:geojson==3.3.0"], ""),
    "q-django-treebeard": (["pypi:django-treebeard==7.0.3"], ""),
    "q-solara": (["pypi:solara==1.64.1"], ""),
    "q-rq-scheduler": (["pypi:rq-scheduler==0.14.0"], ""),
    "q-langcodes": (["pypi:langcodes==3.5.1"], ""),
    "q-flask-babel": (["pypi:flask-babel==4.0.0"], ""),
    "q-wagtail": (["pypi:wagtail==8.0.1"], ""),
    "q-python-gitlab": (["pypi:python-gitlab==8.6.0"], ""),
    "q-parsedatetime": (["pypi:parsedatetime==2.6"], ""),
    "q-xenon": (["pypi:xenon==0.9.3"], ""),
    "q-lightgbm": (["pypi:lightgbm==4.7.0"], ""),
    "q-pmdarima": (["pypi:pmdarima==2.1.1"], ""),
    "q-catboost": (["pypi:catboost==1.2.10"], ""),
    "q-pysmb": (["pypi:pysmb==1.2.15"], ""),
    "q-pygraphviz": (["pypi:pygraphviz==2.0.4"], ""),
    "q-mkdocstrings": (["pypi:mkdocstrings==1.0.8"], ""),
    "q-rasterio": (["pypi:rasterio==1.4.4"], ""),
    "q-jupytext": (["pypi:jupytext==1.19.6"], ""),
    "q-jupyter-book": (["pypi:jupyter-book==2.1.7"], ""),
    "q-shap": (["pypi:shap==0.51.0"], ""),
    "q-starlette-exporter": (["pypi:starlette-exporter==0.24.0"], ""),
}

CHECK_SETS = {1: CHECK_SET, 2: CHECK_SET_2, 3: CHECK_SET_3, 4: CHECK_SET_4, 5: CHECK_SET_5,
              6: CHECK_SET_6, 7: CHECK_SET_7, 8: CHECK_SET_8}


def cache_dir():
    configured = os.environ.get("HEAPLINT_CORPUS_DIR")
    if configured:
        return pathlib.Path(configured)
    return pathlib.Path.home() / ".cache" / "heaplint" / "corpora"


def _download(packages, into):
    command = ["apt-get", "download", *packages]
    result = subprocess.run(command, cwd=into, capture_output=True, text=True)
    if result.returncode != 0 and os.geteuid() == 0:
        # The package lists may be missing on a fresh machine.
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        result = subprocess.run(command, cwd=into, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"corpora: could not download {' '.join(packages)} with apt-get "
                 f"(run 'apt-get update' as root first?):\n{result.stderr.strip()}")


def _download_wheels(requirements, into):
    """Downloads pinned wheels from PyPI (`name==version`), without their dependencies."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--dest", str(into), *requirements]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"corpora: could not download {' '.join(requirements)} from PyPI:\n"
                 f"{result.stderr.strip()}")


def _unpack_wheels(requirements, root):
    """Unpacks the wheels of `requirements` (a wheel is a zip file) into `root`; returns the
    VERSIONS lines."""
    with tempfile.TemporaryDirectory() as downloads:
        _download_wheels(requirements, downloads)
        for wheel in sorted(pathlib.Path(downloads).glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(root)
    return [" ".join(requirement.split("==")) for requirement in requirements]


def ensure(name, packages=None, subdir=DIST):
    """Returns the folder to lint for corpus `name`, downloading and unpacking it if needed."""
    if packages is None:
        packages, subdir = CORPORA[name] if name in CORPORA else {k: v for s in CHECK_SETS.values() for k, v in s.items()}[name]
    root = cache_dir() / name
    versions = root / "VERSIONS"
    if not versions.exists():
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        if all(package.startswith("pypi:") for package in packages):
            lines = _unpack_wheels([package[len("pypi:"):] for package in packages], root)
            versions.write_text("\n".join(lines) + "\n")
            return root / subdir
        with tempfile.TemporaryDirectory() as downloads:
            # apt's sandbox user must be able to write there.
            os.chmod(downloads, 0o777)
            _download(packages, downloads)
            lines = []
            for deb in sorted(pathlib.Path(downloads).glob("*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
                fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version"],
                                        check=True, capture_output=True, text=True).stdout.split()
                lines.append(" ".join(fields[1::2]))
        versions.write_text("\n".join(lines) + "\n")
    return root / subdir


def versions(name):
    path = cache_dir() / name / "VERSIONS"
    return path.read_text().split("\n") if path.exists() else []
