#!/usr/bin/env bash
# Cloud Scheduler runs the Cloud Run job every 5 minutes (the Cloud Run Admin API's jobs.run, called
# with an OAuth token of a service account allowed to run the job). Set these first:
set -euo pipefail
PROJECT="${PROJECT:?set PROJECT}"
REGION="${REGION:?set REGION}"
JOB=ppp-gsuite-sync
INVOKER="ppp-gsuite-scheduler@${PROJECT}.iam.gserviceaccount.com"

gcloud iam service-accounts create ppp-gsuite-scheduler --project "$PROJECT" \
    --display-name "Runs the ppp-gsuite sync job" || true
gcloud run jobs add-iam-policy-binding "$JOB" --project "$PROJECT" --region "$REGION" \
    --member "serviceAccount:${INVOKER}" --role roles/run.invoker

gcloud scheduler jobs create http ppp-gsuite-sync-every-5-minutes \
    --project "$PROJECT" \
    --location "$REGION" \
    --schedule "*/5 * * * *" \
    --time-zone "Europe/London" \
    --uri "https://run.googleapis.com/v2/projects/${PROJECT}/locations/${REGION}/jobs/${JOB}:run" \
    --http-method POST \
    --oauth-service-account-email "$INVOKER"
