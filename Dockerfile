# ppp-gsuite for many organisations: one image, one config per organisation in /srv/ppp/orgs/.
# Locally: `docker run` it on a machine with the configs mounted; on Google Cloud: a Cloud Run job with
# one task per organisation (deploy/cloud-run/). Credentials are never baked in: they are mounted from
# Secret Manager at the path each config's google.credentials names (for example /secrets/alder/token.json).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A user of its own: the job never runs as root.
RUN groupadd --system --gid 10001 ppp && useradd --system --uid 10001 --gid ppp --home-dir /srv/ppp ppp

WORKDIR /srv/ppp
COPY pyproject.toml README.md ./
COPY ppp_gsuite ./ppp_gsuite
COPY local_workspace ./local_workspace
RUN pip install --no-cache-dir . && rm -rf build ppp_gsuite local_workspace *.egg-info

# What the configs share (each config names them as ../form_specs and so on), and the configs
# themselves: one per organisation, kept in deploy/orgs/ (see deploy/orgs/README.md).
COPY form_specs ./form_specs
COPY sheet_layouts ./sheet_layouts
COPY email_templates ./email_templates
COPY deploy/orgs ./orgs
# Each config's lock file is written beside it (orgs/.ppp-gsuite/), so the folder is the user's.
RUN chown -R ppp:ppp /srv/ppp/orgs

USER ppp
# One process per organisation, 4 at a time; in a Cloud Run task, CLOUD_RUN_TASK_INDEX picks one.
# tests/test_image_entrypoint.py runs exactly this command (read from here) in a clean environment.
ENTRYPOINT ["ppp-gsuite"]
CMD ["sync", "--configs", "orgs/*.yaml"]
