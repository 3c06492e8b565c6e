#!/usr/bin/python3
"""Generates Lifeboat's CustomResourceDefinitions (crds/*.yaml) from one description.

The four CRDs share many shapes (PostgreSQL connections, repositories, pod settings, conditions,
check results); writing them once here keeps them identical. `crdgen.py OUTDIR...` writes the files
into each OUTDIR: crds/ (the source of truth), config/crd/bases/ and charts/lifeboat/crds/ (copies
kustomize and Helm need inside their own trees). Tests fail when any copy differs from the generator. Only schema features a Kubernetes 1.24
API server accepts are used (structural schemas, defaults, enums, patterns, oneOf with `required`
only, x-kubernetes-list-type); no CEL.
"""
import os
import sys

import yaml

GROUP = "lifeboat.dev"
VERSION = "v1alpha1"

# ---------------------------------------------------------------------------------------------
# Small schema builders. Every property gets a description (kubectl explain shows it).

def s(desc, **kw):
    return dict(type="string", description=desc, **kw)


def i32(desc, **kw):
    return dict(type="integer", format="int32", description=desc, **kw)


def i64(desc, **kw):
    return dict(type="integer", format="int64", description=desc, **kw)


def b(desc, **kw):
    return dict(type="boolean", description=desc, **kw)


def t(desc, **kw):
    return dict(type="string", format="date-time", description=desc, **kw)


def obj(desc, props, required=None, **kw):
    o = dict(type="object", description=desc, properties=props)
    if required:
        o["required"] = list(required)
    o.update(kw)
    return o


def arr(desc, items, **kw):
    return dict(type="array", description=desc, items=items, **kw)


def string_map(desc, **kw):
    return dict(type="object", description=desc, additionalProperties=dict(type="string"), **kw)


DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# Go-style duration with an extra "d" (24h) unit; see operator/core/duration.h.
DURATION = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$"
CRON = r"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+\s+\S+\s+\S+\s+\S+\s+\S+)$"
TIME_ZONE = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"
QUANTITY = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
LSN = r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$"
# "latest", an RFC 3339 time or "lsn:X/Y": operator/core/recovery_target.h (the operator checks the
# time's values; the schema only its shape).
RECOVERY_TARGET = (r"^(latest|lsn:[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}|"
                   r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))$")
# "schema.table" or "table": unquoted PostgreSQL identifiers.
TABLE_NAME = r"^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$"


def duration(desc, **kw):
    return s(desc + " A duration such as 90s, 6h30m or 30d (d = 24h).", pattern=DURATION, maxLength=64, **kw)


def duration_status(desc):
    return s(desc + " Written as a duration such as 4m12s or 1d6h.", maxLength=64)


def name_ref(desc, what):
    return obj(desc, {"name": s("Name of the " + what + " in the same namespace.", minLength=1, maxLength=253,
                                pattern=DNS_SUBDOMAIN)}, required=["name"])


def secret_key(desc, default_key=None):
    key = s("Key within the Secret's data." + (" Defaults to `%s`." % default_key if default_key else ""),
            minLength=1, maxLength=253, pattern=r"^[-._a-zA-Z0-9]+$")
    if default_key:
        key["default"] = default_key
    return obj(desc, {
        "name": s("Name of the Secret in the same namespace.", minLength=1, maxLength=253, pattern=DNS_SUBDOMAIN),
        "key": key,
    }, required=["name"] if default_key else ["name", "key"])


def schedule(desc):
    return s(desc + " Standard 5-field cron (minute hour day-of-month month day-of-week, names such as MON "
             "and JAN allowed) or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, "
             "@hourly, evaluated in timeZone.", pattern=CRON, maxLength=256)


def time_zone():
    return s("IANA time zone the schedule is evaluated in, e.g. Europe/Berlin. Defaults to UTC. As for a "
             "Kubernetes CronJob, a wall-clock time skipped by a daylight-saving change does not run that "
             "day and a repeated one runs twice.", pattern=TIME_ZONE, maxLength=64, default="UTC")


def connection(desc):
    return obj(desc, {
        "host": s("Host name or IP address of the PostgreSQL server, usually a Service such as "
                  "shop-postgres.shop.svc.", minLength=1, maxLength=253),
        "port": i32("TCP port of the server.", minimum=1, maximum=65535, default=5432),
        "sslMode": s("libpq sslmode for the connection.", enum=["disable", "allow", "prefer", "require",
                                                               "verify-ca", "verify-full"], default="prefer"),
        "credentialsSecret": obj(
            "Secret holding the user name and password (a kubernetes.io/basic-auth Secret works as is). "
            "The password never appears in logs, command lines or status.", {
                "name": s("Name of the Secret in the same namespace.", minLength=1, maxLength=253,
                          pattern=DNS_SUBDOMAIN),
                "usernameKey": s("Key holding the user name.", default="username", minLength=1, maxLength=253),
                "passwordKey": s("Key holding the password.", default="password", minLength=1, maxLength=253),
            }, required=["name"]),
        "caSecret": secret_key("Secret key holding the CA certificate (PEM) to verify the server with, "
                               "for sslMode verify-ca and verify-full.", default_key="ca.crt"),
    }, required=["host", "credentialsSecret"])


def workload_ref(desc):
    return obj(desc, {
        "kind": s("Kind of the workload.", enum=["Deployment", "StatefulSet"]),
        "name": s("Name of the workload in the same namespace.", minLength=1, maxLength=253, pattern=DNS_SUBDOMAIN),
    }, required=["kind", "name"])


def repository(desc):
    return obj(desc, {
        "s3": obj("An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...).", {
            "endpoint": s("Base URL of the S3 endpoint, e.g. https://s3.eu-central-1.amazonaws.com or "
                          "http://minio.backup.svc:9000.", pattern=r"^https?://[^\s/]+(/[^\s]*)?$", maxLength=2048),
            "bucket": s("Bucket name.", minLength=3, maxLength=63, pattern=r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$"),
            "prefix": s("Path inside the bucket under which the repository lives, e.g. shop/prod. Empty "
                        "means the bucket root.", maxLength=1024, pattern=r"^[^/\s][^\s]*$"),
            "region": s("Region of the bucket, when the endpoint needs one.", maxLength=64),
            "credentialsSecret": obj("Secret holding the access key pair.", {
                "name": s("Name of the Secret in the same namespace.", minLength=1, maxLength=253,
                          pattern=DNS_SUBDOMAIN),
                "accessKeyIDKey": s("Key holding the access key ID.", default="AWS_ACCESS_KEY_ID", minLength=1,
                                    maxLength=253),
                "secretAccessKeyKey": s("Key holding the secret access key.", default="AWS_SECRET_ACCESS_KEY",
                                        minLength=1, maxLength=253),
            }, required=["name"]),
            "caSecret": secret_key("Secret key holding a CA bundle (PEM) for an endpoint with a private "
                                   "certificate authority.", default_key="ca.crt"),
        }, required=["endpoint", "bucket", "credentialsSecret"]),
        "persistentVolumeClaim": obj("A directory on a PersistentVolumeClaim (useful for NFS-backed claims "
                                     "and tests).", {
            "claimName": s("Name of the PersistentVolumeClaim in the same namespace.", minLength=1, maxLength=253,
                           pattern=DNS_SUBDOMAIN),
            "path": s("Directory inside the claim holding the repository, relative to the claim's root. "
                      "Empty means the root.", maxLength=1024, pattern=r"^[^/].*$"),
        }, required=["claimName"]),
        "encryption": obj("How the repository is encrypted. restic encrypts everything with this password; "
                          "without it nothing can be restored, so keep a copy outside the cluster.", {
            "passwordSecret": secret_key("Secret key holding the repository password.", default_key="password"),
        }, required=["passwordSecret"]),
    }, required=["encryption"], oneOf=[{"required": ["s3"]}, {"required": ["persistentVolumeClaim"]}])


def resources():
    quantity = {"anyOf": [{"type": "integer"}, {"type": "string"}], "pattern": QUANTITY,
                "x-kubernetes-int-or-string": True}
    return obj("Compute resources of the Job's containers, as in a Pod.", {
        "requests": dict(type="object", description="Minimum resources, e.g. cpu: 100m, memory: 256Mi.",
                         additionalProperties=quantity),
        "limits": dict(type="object", description="Maximum resources, e.g. memory: 1Gi.",
                       additionalProperties=dict(quantity)),
    })


def security_context(desc):
    user_id = dict(minimum=0, maximum=2147483647)
    return obj(desc, {
        "runAsUser": i64("User id the Job's processes run as. Unset: the next place that says (see "
                         "docs/api.md, \"Running as the data's owner\"), finally the image's user 65532.", **user_id),
        "runAsGroup": i64("Primary group id of the Job's processes. Unset: as runAsUser.", **user_id),
        "fsGroup": i64("Group the kubelet gives every file of the Job's volumes (recursively, group-writable). "
                       "It changes the files of your volume: Lifeboat never sets it unless you do.", **user_id),
        "supplementalGroups": arr("Further groups of the Job's processes: a group that may read (or write) "
                                  "the files is enough.", i64("A group id.", **user_id), maxItems=32),
        "fsGroupChangePolicy": s("OnRootMismatch skips the recursive change when the volume's root already "
                                 "has fsGroup.", enum=["OnRootMismatch", "Always"]),
    })


def pod_settings():
    return obj("Settings for the Pods of the Jobs Lifeboat runs for this resource.", {
        "image": s("Container image running `lifeboat agent`. Defaults to the operator's own image.",
                   maxLength=1024),
        "imagePullPolicy": s("Image pull policy.", enum=["Always", "IfNotPresent", "Never"]),
        "imagePullSecrets": arr("Secrets for pulling the image.", obj("A Secret in the same namespace.", {
            "name": s("Name of the Secret.", minLength=1, maxLength=253)}, required=["name"]), maxItems=16),
        "serviceAccountName": s("ServiceAccount the Pods run as. Defaults to the namespace's default.",
                                maxLength=253, pattern=DNS_SUBDOMAIN),
        "resources": resources(),
        "nodeSelector": string_map("Node labels the Pods must run on."),
        "tolerations": arr("Tolerations of the Pods, as in a Pod.", obj("A toleration.", {
            "key": s("Taint key; empty with operator Exists matches all taints.", maxLength=317),
            "operator": s("How key and value are compared.", enum=["Exists", "Equal"]),
            "value": s("Taint value for operator Equal.", maxLength=63),
            "effect": s("Taint effect to match; empty matches all.", enum=["NoSchedule", "PreferNoSchedule",
                                                                           "NoExecute"]),
            "tolerationSeconds": i64("For NoExecute: how long the Pod stays bound after the taint appears."),
        }), maxItems=32),
        "priorityClassName": s("PriorityClass of the Pods.", maxLength=253),
        "labels": string_map("Extra labels for the Pods (e.g. for network policies)."),
        "annotations": string_map("Extra annotations for the Pods (e.g. to opt out of sidecar injection)."),
        "activeDeadlineSeconds": i64("Upper bound on a Job's run time; the run fails when it is exceeded.",
                                     minimum=1),
        "backoffLimit": i32("Retries of a failed Pod before the Job fails.", minimum=0, maximum=10, default=0),
        "securityContext": security_context(
            "The user every Job of this resource runs as, unless a media entry says otherwise. Unset: the "
            "image's user (65532). Always within the restricted Pod Security profile (runAsNonRoot unless "
            "runAsUser is 0, seccomp RuntimeDefault, no privilege escalation, no capabilities)."),
    })


def conditions(types_desc):
    return dict(type="array", description="Observations of the resource's state. " + types_desc,
                **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]},
                items=obj("A metav1.Condition.", {
                    "type": s("Type of the condition, in CamelCase.", maxLength=316,
                              pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                                      r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"),
                    "status": s("Status of the condition.", enum=["True", "False", "Unknown"]),
                    "observedGeneration": i64("The .metadata.generation the condition was set for.", minimum=0),
                    "lastTransitionTime": t("When the status last changed."),
                    "reason": s("Machine-readable reason for the last transition, in CamelCase.", minLength=1,
                                maxLength=1024, pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"),
                    "message": s("Human-readable details.", maxLength=32768),
                }, required=["type", "status", "lastTransitionTime", "reason", "message"]))


def sql_checks(desc):
    return arr(desc, obj("A SQL query and the result it must return.", {
        "name": s("Name of the check, shown in status.", minLength=1, maxLength=63, pattern=DNS_LABEL),
        "database": s("Database to run the query in. Defaults to the restored database.", maxLength=63),
        "query": s("The query; it runs read-only.", minLength=1, maxLength=8192),
        "expected": s("The expected result as text, as `psql -At` prints it: rows separated by newlines, "
                      "columns by '|'.", maxLength=8192),
    }, required=["name", "query", "expected"]), maxItems=64,
        **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]})


def check_results(desc):
    return arr(desc, obj("The outcome of one check.", {
        "name": s("Name of the check: the SQL check's name, or the table or file checked."),
        "type": s("Kind of check.", enum=["RowCount", "TableChecksum", "SQL", "Amcheck", "HeapCheck",
                                          "FileChecksum", "FileCount", "Restore", "Recovery"]),
        "expected": s("What the backup's manifest (or the check) expects."),
        "actual": s("What was found."),
        "passed": b("Whether actual matched expected."),
        "message": s("Details, for failures."),
    }, required=["name", "type", "passed"]), maxItems=1000)


def step_list(desc, names):
    return dict(type="array", description=desc,
                **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
                items=obj("One step of the runbook.", {
                    "name": s("The step.", enum=names),
                    "state": s("Where the step is.", enum=["Pending", "Running", "Succeeded", "Failed", "Skipped"]),
                    "startTime": t("When the step started."),
                    "completionTime": t("When the step finished."),
                    "jobs": arr("Jobs the step ran.", s("Name of a Job.")),
                    "message": s("What happened, in a sentence."),
                }, required=["name", "state"]))


def backup_ref(desc):
    return obj(desc, {
        "id": s("Identifier of the backup (its manifest in the repository)."),
        "source": s("The policy source the backup is of."),
        "startTime": t("When the backup started (the data is at least as new as this)."),
        "completionTime": t("When the backup completed."),
        "sizeBytes": i64("Size of the backed-up data in bytes, before deduplication."),
        "snapshotIDs": arr("restic snapshot ids holding the data.", s("A restic snapshot id.")),
    })


# ---------------------------------------------------------------------------------------------
# The four resources.

def backup_policy():
    spec = obj("Desired backups: what to back up, when, where to, and how long to keep it.", {
        "schedule": schedule("When to back up every source that has no schedule of its own."),
        "timeZone": time_zone(),
        "suspend": b("Stops scheduling new runs (on-demand runs still work); running Jobs continue.", default=False),
        "startingDeadlineSeconds": i64(
            "A scheduled run that could not start within this many seconds of its time (e.g. the operator was "
            "down) is skipped and counted in status, not started late. Unset means no deadline.", minimum=0),
        "concurrencyPolicy": s(
            "What to do when a run is due while the previous run of the same source is still going: Forbid "
            "skips the new run, Replace stops the old run and starts the new one.",
            enum=["Forbid", "Replace"], default="Forbid"),
        "database": obj("The PostgreSQL databases to back up (logical dumps with pg_dump).", {
            "method": s("How the database is backed up. Dump: a logical pg_dump of each database plus the "
                        "server's global objects. BaseBackup: physical base backups of the whole cluster on the "
                        "schedule (pg_basebackup over a replication connection) and continuous WAL archiving by "
                        "a streamer Deployment, for point-in-time recovery (docs/wal-archiving.md); the "
                        "connection's user needs the REPLICATION attribute and a replication line in pg_hba.conf.",
                        enum=["Dump", "BaseBackup"], default="Dump"),
            "connection": connection("How to reach the server to back up."),
            "databases": arr("Names of the databases to dump (method Dump; a base backup takes every database).",
                             s("A database name.", minLength=1, maxLength=63),
                             maxItems=64, **{"x-kubernetes-list-type": "set"}),
            "walArchiving": obj("Method BaseBackup: how the WAL streamer runs.", {
                "uploadInterval": duration("How often the WAL segment being written is uploaded: a quiet "
                                           "database's recovery point is about this old. Completed segments are "
                                           "uploaded at once. 1s to 1h.", default="60s"),
                "slotName": s("The physical replication slot the streamer uses (created when missing). Default: "
                              "lifeboat_<namespace>_<name>.", maxLength=63, pattern=r"^[a-z0-9_]+$"),
                "bufferSize": s("Size limit of the streamer's buffer volume (an emptyDir): at most 16 WAL "
                                "segments of 16 MiB plus the one being written are kept there.", pattern=QUANTITY,
                                default="1Gi"),
            }),
            "format": s("pg_dump format: Custom (one file, streamed into the repository) or Directory "
                        "(allows parallel dump jobs).", enum=["Custom", "Directory"], default="Custom"),
            "jobs": i32("Parallel pg_dump jobs; above 1 requires format Directory.", minimum=1, maximum=32,
                        default=1),
            "globals": b("Also back up roles and tablespaces (pg_dumpall --globals-only), needed to restore "
                         "onto a new server.", default=True),
            "tableChecksums": b("Record a checksum of every table in the manifest, from the same snapshot as "
                                "the dump. Costs a full read of each table; restores and drills compare them.",
                                default=False),
            "schedule": schedule("Schedule of the database backups, overriding spec.schedule."),
            "targetRPO": duration("Recovery point objective of the database, overriding spec.targetRPO."),
        }, required=["connection"]),
        "media": dict(arr("Volumes to back up (uploads, media files).", obj("A directory on a claim.", {
            "name": s("Name of the source, unique in the policy; restores refer to it.", minLength=1, maxLength=63,
                      pattern=DNS_LABEL),
            "claimName": s("The PersistentVolumeClaim to back up, in the same namespace.", minLength=1,
                           maxLength=253, pattern=DNS_SUBDOMAIN),
            "subPath": s("Directory inside the claim to back up; empty means the whole claim.", maxLength=1024,
                         pattern=r"^[^/].*$"),
            "exclude": arr("Patterns to leave out (restic --exclude syntax, e.g. cache/** or *.tmp).",
                           s("A pattern.", minLength=1, maxLength=1024), maxItems=64),
            "schedule": schedule("Schedule of this source, overriding spec.schedule."),
            "targetRPO": duration("Recovery point objective of this source, overriding spec.targetRPO."),
            "securityContext": security_context(
                "The user the backup Job reads this volume as (the volume's owner, or a user in its group). "
                "Fields left unset come from the workload's pod securityContext, then spec.podSettings."),
            "workload": workload_ref("The Deployment or StatefulSet that owns the volume: its pod securityContext "
                                     "(runAsUser, runAsGroup, fsGroup, supplementalGroups) gives the defaults."),
        }, required=["name", "claimName"]), maxItems=16),
            **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}),
        "repository": repository("Where backups are stored: a restic repository, created on first use."),
        "retention": obj("Which backups to keep, per source (restic forget, then prune, after each successful "
                         "backup). A backup is kept if any rule keeps it. Unset keeps everything.", {
            "keepLast": i32("Keep the newest N backups.", minimum=1),
            "keepHourly": i32("Keep the newest backup of each of the last N hours that have one.", minimum=1),
            "keepDaily": i32("Keep the newest backup of each of the last N days that have one.", minimum=1),
            "keepWeekly": i32("Keep the newest backup of each of the last N weeks that have one.", minimum=1),
            "keepMonthly": i32("Keep the newest backup of each of the last N months that have one.", minimum=1),
            "keepYearly": i32("Keep the newest backup of each of the last N years that have one.", minimum=1),
            "keepWithin": duration("Keep every backup younger than this, relative to the newest backup."),
        }),
        "verification": obj("Check the repository after each successful backup (restic check).", {
            "enabled": b("Run the check.", default=True),
            "readDataSubset": s("Part of the stored data to read back and verify each time: a percentage "
                                "(5%), a fraction n/t (1/10) or a size (500M).", default="5%",
                                pattern=r"^([0-9]+(\.[0-9]+)?%|[0-9]+/[0-9]+|[0-9]+[KMGT]?)$", maxLength=32),
        }),
        "targetRPO": duration("Recovery point objective of every source without its own: the newest good "
                              "backup of each source must be younger than its objective, or RPOMet turns False "
                              "and an alert fires. It must not be shorter than the interval between the "
                              "source's runs."),
        "podSettings": pod_settings(),
        "historyLimit": i32("How many runs status.history keeps (newest first).", minimum=1, maximum=100, default=20),
        "successfulJobsHistoryLimit": i32("Finished successful Jobs to keep.", minimum=0, maximum=100, default=3),
        "failedJobsHistoryLimit": i32("Finished failed Jobs to keep (for their logs).", minimum=0, maximum=100,
                                      default=3),
    }, required=["schedule", "repository"])

    source_status = obj("The state of one source.", {
        "name": s("Source name: `database` or a media source's name."),
        "type": s("Kind of source.", enum=["Database", "Media"]),
        "schedule": s("The schedule in effect for the source."),
        "lastScheduleTime": t("When the source's last run was scheduled."),
        "nextScheduleTime": t("When the source's next run is due."),
        "missedRuns": i32("Scheduled runs skipped because they could not start before startingDeadlineSeconds, "
                          "since the policy was created."),
        "lastSuccessfulBackup": backup_ref("The source's newest successful backup."),
        "rpo": duration_status("Age of the source's newest successful backup when status was written."),
        "targetRPO": s("The recovery point objective in effect for the source, if any."),
    }, required=["name", "type"])
    run = obj("One backup run.", {
        "id": s("Identifier of the run; also the suffix of its Job's name."),
        "source": s("The source backed up."),
        "trigger": s("Why the run happened.", enum=["Scheduled", "OnDemand"]),
        "scheduledTime": t("The schedule time the run belongs to (scheduled runs)."),
        "startTime": t("When the Job started."),
        "completionTime": t("When the Job finished."),
        "result": s("Outcome.", enum=["Running", "Succeeded", "Failed"]),
        "sizeBytes": i64("Size of the backed-up data in bytes, before deduplication."),
        "snapshotIDs": arr("restic snapshot ids written.", s("A restic snapshot id.")),
        "jobName": s("Name of the Job."),
        "message": s("What happened, in a sentence (the error for failures)."),
    }, required=["id", "source", "result"])
    status = obj("Observed state of the policy, written by the operator.", {
        "observedGeneration": i64("The .metadata.generation last acted on."),
        "conditions": conditions("Ready: the spec is valid and its Secrets and claims exist. "
                                 "LastBackupSucceeded: the newest finished run succeeded. RPOMet: every source "
                                 "with an objective has a successful backup younger than it."),
        "lastScheduleTime": t("When a run was last scheduled, over all sources."),
        "nextScheduleTime": t("When the next run is due, over all sources."),
        "lastSuccessfulBackup": backup_ref("The newest successful backup of any source."),
        "currentRPO": duration_status("Age of the oldest among the sources' newest successful backups: the data "
                                      "a total loss would cost now."),
        "lastOnDemandToken": s("Value of the lifeboat.dev/backup-now annotation last acted on; a run is started "
                               "once per distinct value."),
        "sources": dict(arr("Per-source state.", source_status),
                        **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}),
        "history": arr("Recent runs, newest first, at most spec.historyLimit.", run, maxItems=100),
        "lastVerified": obj("The newest DRDrill run that proved this policy's backups restorable (restored into "
                            "scratch space with every check passed), from the status of the drills that name "
                            "this policy. Unset: no drill has proven them yet.", {
            "time": t("When that drill run completed."),
            "drill": s("Name of the DRDrill (same namespace)."),
            "run": s("Id of the drill run."),
            "backupId": s("The backup it restored (the oldest, when its sources came from several)."),
            "result": s("Outcome of that run.", enum=["Succeeded"]),
            "objectivesMet": b("Whether that run also met the drill's RTO and RPO objectives."),
        }, required=["drill", "result"]),
        "walArchive": obj("Method BaseBackup: the WAL streamer.", {
            "streamer": s("The streamer's Deployment."),
            "slot": s("The replication slot it uses on the database server."),
            "state": s("Waiting (the policy is not ready), Starting, Running or Unavailable.",
                       enum=["Waiting", "Starting", "Running", "Unavailable"]),
            "message": s("Why it is not Running."),
            "firstRecoverableTime": t("The oldest point a point-in-time recovery can reach (the oldest "
                                      "base backup whose WAL chain is complete), as the streamer last "
                                      "reviewed the archive."),
            "lastRecoverableTime": t("The newest point a recovery can reach: everything committed up to "
                                     "it is in the repository. The database's recovery point (RPO)."),
            "lastSegment": s("The newest WAL file uploaded (.partial: the segment still being written)."),
            "lastUploadTime": t("When the streamer last uploaded WAL."),
            "lagBytes": i64("WAL the server has flushed that the streamer has not received yet."),
            "gap": s("<from LSN>-<to LSN>: WAL after the newest base backup is missing (the server "
                     "removed it before the streamer had it); recoveries stop at the gap's start until "
                     "the next base backup."),
            "reportedTime": t("When the streamer last reported (it does at least every 30 s)."),
            "lastError": s("The streamer's last error, if its most recent attempt failed."),
        }),
    })
    columns = [
        col("Schedule", "string", ".spec.schedule"),
        col("Time Zone", "string", ".spec.timeZone", priority=1),
        col("Suspend", "boolean", ".spec.suspend", priority=1),
        col("Last Success", "date", ".status.lastSuccessfulBackup.completionTime"),
        col("RPO", "string", ".status.currentRPO"),
        col("RPO Met", "string", '.status.conditions[?(@.type=="RPOMet")].status'),
        col("Verified", "date", ".status.lastVerified.time"),
        col("Ready", "string", '.status.conditions[?(@.type=="Ready")].status'),
        col("Next Run", "string", ".status.nextScheduleTime", priority=1),
        col("Age", "date", ".metadata.creationTimestamp"),
    ]
    return crd("BackupPolicy", "backuppolicies", ["bp"],
               "BackupPolicy backs up PostgreSQL databases and volumes on a schedule into an encrypted restic "
               "repository, keeps the backups its retention rules say, and reports the recovery point. Annotate "
               "it with lifeboat.dev/backup-now=<any new value> to run a backup now.", spec, status, columns)


def target_backup_id():
    return s("Restore exactly this backup (an id from the policy's status.history or the repository "
             "catalog). Overrides spec.source.before for this target.", maxLength=253)


def restore_request():
    spec = obj("The restore runbook to run once. The spec cannot change after the restore has started: the "
               "operator refuses changes with the SpecChanged condition (a 1.24 schema cannot express "
               "immutability without CEL). Create a new RestoreRequest instead.", {
        "source": obj("Where the backups come from.", {
            "policyRef": name_ref("The BackupPolicy whose repository holds the backups.", "BackupPolicy"),
            "repository": repository("A repository given inline, for a fresh cluster after a total loss (no "
                                     "BackupPolicy needed)."),
            "before": t("Restore, per target without a backupId, the newest complete backup taken at or before "
                        "this time (a backup's data is as of its start time). Unset restores the latest. Safety "
                        "backups (pre-restore) are chosen only by backupId. For a database restored to an exact "
                        "time, see spec.database.recoveryTarget."),
        }, oneOf=[{"required": ["policyRef"]}, {"required": ["repository"]}]),
        "database": obj("The database to restore into.", {
            "connection": connection("How to reach the target server."),
            "database": s("Name of the target database.", minLength=1, maxLength=63),
            "sourceDatabase": s("Database in the backup to restore. Defaults to the target's name.", maxLength=63),
            "mode": s("NewDatabase creates the target and refuses if it exists; it is restored and verified "
                      "under a staging name and takes the target's name only then. Replace replaces an existing "
                      "database (see strategy) and requires confirm.", enum=["NewDatabase", "Replace"],
                      default="NewDatabase"),
            "strategy": s("For Replace. Swap (the default) restores into a new database beside the live one while "
                          "the application keeps running, verifies it, then quiesces and swaps the two by renaming "
                          "them in one transaction: the live database is untouched until the restored one has "
                          "passed its checks, and is kept as <database>_before_<request> for a rollback. InPlace "
                          "drops the live database after the safety backup and restores into it, for servers "
                          "without room for two copies; a failure after the drop restores the safety backup "
                          "before anything is resumed.", enum=["Swap", "InPlace"], default="Swap"),
            "owner": s("Restore everything owned by this existing role, without the backup's owners and "
                       "privileges (pg_restore --no-owner --no-privileges --role), for servers where the restoring "
                       "user may not create roles (managed PostgreSQL). Unset: the roles the backup's objects need "
                       "that the target lacks are created from the backup's globals (existing roles are never "
                       "altered) and listed in status.rolesCreated.", minLength=1, maxLength=63),
            "keepPreviousFor": duration("For a Swap: how long the replaced database is kept (named in "
                                        "status.previousDatabase) before the operator drops it; 0s drops it "
                                        "as soon as the restore has succeeded.", default="24h"),
            "keepFailed": b("Keep the half-restored database of a failed restore as <database>_failed_<request> "
                            "for inspection instead of dropping it. The live database is never affected.",
                            default=False),
            "confirm": s("For Replace: must equal the target database's name, as a guard against overwriting "
                         "the wrong database.", maxLength=63),
            "backupID": target_backup_id(),
            "recoveryTarget": s("Point-in-time recovery instead of a dump: latest, an RFC 3339 time "
                                "(2026-11-22T06:00:00Z) or lsn:X/Y. The newest base backup of spec.source.policyRef "
                                "(a BackupPolicy with method BaseBackup) before the target is recovered in the "
                                "restore Job's scratch space, the archived WAL is replayed up to the target, and "
                                "sourceDatabase of the recovered cluster is restored like a dump (mode, quiesce, "
                                "safety backup and verification apply). status.recovery.reachedTime is the point "
                                "actually reached (the last replayed commit). Not with backupID.",
                                maxLength=64, pattern=RECOVERY_TARGET),
            "tables": dict(arr("With recoveryTarget: restore only these tables (schema.table, or table in public). "
                               "With Replace they are replaced inside the live database in one transaction and "
                               "the other tables stay as they are.",
                               s("A table.", maxLength=127, pattern=TABLE_NAME), maxItems=256),
                           **{"x-kubernetes-list-type": "set"}),
            "jobs": i32("Parallel pg_restore jobs.", minimum=1, maximum=32, default=2),
        }, required=["connection", "database"]),
        "media": dict(arr("Volumes to restore into.", obj("A media source restored into a claim.", {
            "sourceName": s("Name of the media source in the backups (the BackupPolicy's spec.media[].name).",
                            minLength=1, maxLength=63, pattern=DNS_LABEL),
            "claimName": s("The PersistentVolumeClaim to restore into.", minLength=1, maxLength=253,
                           pattern=DNS_SUBDOMAIN),
            "subPath": s("Directory inside the claim to restore into; empty means the claim's root.",
                         maxLength=1024, pattern=r"^[^/].*$"),
            "mode": s("Merge writes the backup's files over what is there and keeps other files; Replace makes "
                      "the directory exactly the backup's content.", enum=["Merge", "Replace"], default="Merge"),
            "backupID": target_backup_id(),
            "securityContext": security_context(
                "The user the restore Job writes this volume as. Fields left unset come from owner, then the "
                "workload's pod securityContext, then spec.podSettings."),
            "workload": workload_ref("The Deployment or StatefulSet that owns the volume: its pod securityContext "
                                     "gives the defaults."),
            "owner": obj("Give every restored file and folder this owner, as `chown -R uid:gid` would. The Job "
                         "runs as this user (unless securityContext says otherwise), so no privilege is needed.", {
                "uid": i64("User id.", minimum=0, maximum=2147483647),
                "gid": i64("Group id.", minimum=0, maximum=2147483647),
            }, required=["uid", "gid"]),
        }, required=["sourceName", "claimName"]), maxItems=16)),
        "quiesce": obj("Workloads scaled to zero before the restore and scaled back afterwards, also after a "
                       "failure and when the RestoreRequest is deleted mid-run.", {
            "workloads": arr("Deployments and StatefulSets to stop.", workload_ref("A workload."), maxItems=32),
            "timeoutSeconds": i32("How long to wait for their Pods to stop before failing.", minimum=1,
                                  maximum=3600, default=300),
        }, required=["workloads"]),
        "safetyBackup": obj("A backup of the targets taken just before they are overwritten (tagged pre-restore, "
                            "listed in status so you can roll back).", {
            "enabled": b("Take it. Unset means: yes when any target is Replace, no otherwise. A Replace restore "
                         "cannot turn it off."),
        }),
        "postRestore": obj("Jobs run in order after the data is restored and before verification (for example "
                           "migrations).", {
            "jobs": arr("The Jobs.", obj("A one-container Job.", {
                "name": s("Name of the step, unique in the list.", minLength=1, maxLength=40, pattern=DNS_LABEL),
                "image": s("Container image.", minLength=1, maxLength=1024),
                "command": arr("Entrypoint.", s("An argument.")),
                "args": arr("Arguments.", s("An argument.")),
                "env": arr("Environment variables.", obj("A variable.", {
                    "name": s("Variable name.", minLength=1, maxLength=256),
                    "value": s("Literal value."),
                    "valueFrom": obj("Where the value comes from.", {
                        "secretKeyRef": secret_key("A key of a Secret."),
                        "configMapKeyRef": obj("A key of a ConfigMap.", {
                            "name": s("Name of the ConfigMap.", minLength=1, maxLength=253),
                            "key": s("Key.", minLength=1, maxLength=253),
                        }, required=["name", "key"]),
                    }),
                }, required=["name"]), maxItems=64),
                "envFrom": arr("Secrets and ConfigMaps exposed as environment variables.", obj("A source.", {
                    "secretRef": obj("A Secret.", {"name": s("Name of the Secret.", minLength=1, maxLength=253)},
                                     required=["name"]),
                    "configMapRef": obj("A ConfigMap.", {"name": s("Name of the ConfigMap.", minLength=1,
                                                                   maxLength=253)}, required=["name"]),
                }), maxItems=16),
                "serviceAccountName": s("ServiceAccount of the Pod.", maxLength=253),
                "activeDeadlineSeconds": i64("Time limit of the Job.", minimum=1, default=600),
                "backoffLimit": i32("Retries of a failed Pod.", minimum=0, maximum=10, default=0),
            }, required=["name", "image"]), maxItems=16,
                **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}),
        }, required=["jobs"]),
        "verify": obj("Checks after the restore; a failed check fails the restore. The manifest comparisons run "
                      "right after the data is restored (before the post-restore Jobs change it); the SQL checks "
                      "run after the post-restore Jobs.", {
            "rowCounts": b("Compare each table's row count with the backup's manifest.", default=True),
            "tableChecksums": b("Compare table checksums with the manifest (when the backup has them).",
                                default=True),
            "fileChecksums": b("Compare restored media files with the manifest's checksums.", default=True),
            "sql": sql_checks("SQL checks with their expected results, run on the restored database's server after "
                              "the post-restore Jobs (needs spec.database)."),
        }),
        "podSettings": pod_settings(),
    }, required=["source"])

    status = obj("Observed state of the restore, written by the operator.", {
        "observedGeneration": i64("The .metadata.generation last acted on."),
        "startedGeneration": i64("The .metadata.generation the restore started with; later spec changes are "
                                 "refused."),
        "startedSpec": dict(type="object", description="The spec exactly as the restore started with it. The "
                            "restore follows this copy to the end, whatever later edits say; it lives in status "
                            "because the operator never writes a user's spec, labels or annotations.",
                            **{"x-kubernetes-preserve-unknown-fields": True}),
        "phase": s("Summary: Pending (not started), Waiting (another restore holds a target), Running, "
                   "Succeeded, Failed.", enum=["Pending", "Waiting", "Running", "Succeeded", "Failed"]),
        "currentStep": s("The step running now."),
        "conditions": conditions("Succeeded: Unknown while running, then True or False with a reason. "
                                 "Validated: the spec, the source, the backups and the Secrets check out. Blocked: "
                                 "waiting for another restore of the same target. SpecChanged: the spec changed "
                                 "after the start and the change is ignored."),
        "startTime": t("When the restore started."),
        "completionTime": t("When it finished (either way)."),
        "duration": duration_status("Measured total time (the recovery time actually achieved)."),
        "steps": step_list("The runbook's steps in order (a Swap restores the database before the quiesce and "
                           "swaps it in after the safety backup).",
                           ["Validate", "Quiesce", "SafetyBackup", "RestoreDatabase", "SwapDatabase",
                            "RestoreMedia", "PostRestore", "Verify", "RollBack", "Resume"]),
        "rolesCreated": arr("Roles the restore created on the target server from the backup's globals (the "
                            "roles its objects need that the server lacked).", s("A role name.")),
        "previousDatabase": obj("The database a Swap replaced, kept for a rollback.", {
            "name": s("Its name (<database>_before_<request>). To roll back while it exists: quiesce the "
                      "application, then ALTER DATABASE <database> RENAME TO <another name>; ALTER DATABASE "
                      "<this name> RENAME TO <database>."),
            "keepUntil": t("When the operator drops it."),
            "droppedTime": t("When the operator dropped it."),
            "message": s("Why it could not be dropped, when it could not."),
        }, required=["name"]),
        "quiescedWorkloads": arr("Workloads scaled down, with the replica counts to restore (saved before "
                                 "scaling).", obj("A workload and its replicas.", {
            "kind": s("Deployment or StatefulSet.", enum=["Deployment", "StatefulSet"]),
            "name": s("Name."),
            "replicas": i32("Replicas before the restore.", minimum=0),
        }, required=["kind", "name", "replicas"])),
        "safetyBackups": arr("Backups taken of the targets before overwriting them.", backup_ref("A backup.")),
        "restoredBackups": arr("The backups actually restored, one per target.", obj("A restored backup.", {
            "target": s("The target: database/<name> or media/<claim>."),
            "backup": backup_ref("The backup."),
        }, required=["target"])),
        "backupAge": duration_status("Age of the oldest restored backup at the start of the restore (the data "
                                     "loss the restore implies; for a point-in-time recovery: the start minus "
                                     "recovery.reachedTime)."),
        "checks": check_results("Verification results."),
        "recovery": obj("The point-in-time recovery (spec.database.recoveryTarget) as the restore Job reported it.", {
            "target": s("The recovery target asked for."),
            "reachedTime": s("The point actually reached: the commit time of the last replayed transaction "
                             "(RFC 3339, microseconds)."),
            "reachedLSN": s("Where the WAL replay ended."),
            "baseBackupID": s("The base backup recovered."),
            "baseBackupTime": s("When that base backup became consistent."),
            "lastRecoverableTime": s("How far the WAL archive reached when the restore ran."),
            "walSnapshots": i64("WAL snapshots fetched from the repository."),
            "tables": arr("Only these tables were restored.", s("A table.")),
        }),
    })
    columns = [
        col("Phase", "string", ".status.phase"),
        col("Step", "string", ".status.currentStep"),
        col("Reason", "string", '.status.conditions[?(@.type=="Succeeded")].reason'),
        col("Source", "string", ".spec.source.policyRef.name", priority=1),
        col("Mode", "string", ".spec.database.mode", priority=1),
        col("Reached", "string", ".status.recovery.reachedTime", priority=1),
        col("Backup Age", "string", ".status.backupAge"),
        col("Duration", "string", ".status.duration"),
        col("Age", "date", ".metadata.creationTimestamp"),
    ]
    return crd("RestoreRequest", "restorerequests", ["rr"],
               "RestoreRequest runs a restore runbook once: validate, quiesce the app, take a safety backup, "
               "restore the database and volumes, run post-restore Jobs, verify, resume the app, and report "
               "each step.", spec, status, columns)


def drill_run(with_checks):
    props = {
        "id": s("Identifier of the run; also the suffix of its Job's name."),
        "trigger": s("Why the run happened.", enum=["Scheduled", "OnDemand", "Created"]),
        "startTime": t("When the drill started."),
        "completionTime": t("When it finished."),
        "result": s("Outcome.", enum=["Running", "Succeeded", "Failed"]),
        "jobName": s("Name of the Job."),
        "backups": arr("The backups the drill restored.", backup_ref("A backup.")),
        "measuredRTO": duration_status("Time from the start to a verified scratch restore."),
        "measuredRPO": duration_status("Age of the oldest restored backup at the start of the drill (with "
                                       "spec.recoveryTarget: the start minus the last replayed commit)."),
        "objectivesMet": b("Whether the measured RTO and RPO met spec.objectives."),
        "checksPassed": i32("Number of checks that passed."),
        "checksFailed": i32("Number of checks that failed."),
        "message": s("What happened, in a sentence."),
        "report": obj("The run's report, stored in the repository as its own snapshot and hash-chained to the "
                      "drill's previous report (`lifeboat agent reports` verifies the chain).", {
            "snapshotId": s("restic snapshot id of the report."),
            "sha256": s("SHA-256 of the report's bytes; the next report links to it."),
        }, required=["snapshotId", "sha256"]),
        "recovery": obj("A rehearsed point-in-time recovery (spec.recoveryTarget): how far the archived WAL "
                        "brought it.", {
            "target": s("The recovery target."),
            "reachedTime": s("The last replayed commit (RFC 3339, microseconds); measuredRPO is the drill's start "
                             "minus it."),
            "baseBackupID": s("The base backup recovered."),
        }),
    }
    if with_checks:
        props["checks"] = check_results("Every check with its expected and actual value.")
    return obj("A drill run.", props, required=["id", "result"])


def dr_drill():
    spec = obj("A restore rehearsal into scratch space, proving a BackupPolicy's backups can be restored in "
               "time.", {
        "schedule": schedule("When to run the drill. Unset runs it once, when the DRDrill is created."),
        "timeZone": time_zone(),
        "suspend": b("Stops scheduling new runs.", default=False),
        "startingDeadlineSeconds": i64("A run that could not start within this many seconds of its time is "
                                       "skipped and counted.", minimum=0),
        "policyRef": name_ref("The BackupPolicy whose newest backups the drill restores.", "BackupPolicy"),
        "sources": arr("Sources of the policy to include (database, media names). Unset means all.",
                       s("A source name.", minLength=1, maxLength=63), maxItems=17,
                       **{"x-kubernetes-list-type": "set"}),
        "recoveryTarget": s("latest: rehearse a point-in-time recovery instead of a dump restore. The policy (method "
                            "BaseBackup) has its newest base backup recovered into the scratch server and all of its "
                            "archived WAL replayed; the databases are checked there (amcheck, heap, SQL checks: a "
                            "recovered cluster has no manifest to count rows against) and the measured RPO is the "
                            "drill's start minus the last replayed commit, the data a disaster at the start would "
                            "have lost. Unset: the newest dumps are restored.", enum=["latest"]),
        "scratch": obj("Where the drill restores to; nothing outside the drill's own Job is touched.", {
            "postgres": obj("A temporary PostgreSQL server started inside the drill's Job, from the Job's own "
                            "image (podSettings.image, default the operator's), of the backup's major version.", {
                "sizeLimit": dict(s("Space for its data directory (an emptyDir with this limit).",
                                    pattern=QUANTITY, default="10Gi"), **{}),
            }),
            "media": obj("Scratch space for restored media.", {
                "sizeLimit": s("Size limit of the scratch volume.", pattern=QUANTITY, default="10Gi"),
                "storageClassName": s("When set, the scratch volume is an ephemeral PersistentVolumeClaim of "
                                      "this class instead of an emptyDir.", maxLength=253),
            }),
        }),
        "checks": obj("What the drill verifies.", {
            "rowCounts": b("Compare each table's row count with the manifest.", default=True),
            "tableChecksums": b("Compare table checksums with the manifest (when the backup has them).",
                                default=True),
            "amcheck": b("Run amcheck on every B-tree index of the restored database.", default=True),
            "heap": b("Also check every table's heap with amcheck's verify_heapam (reads all data once "
                      "more).", default=False),
            "fileChecksums": b("Compare restored media files with the manifest's checksums.", default=True),
            "sql": sql_checks("SQL checks with their expected results."),
        }),
        "objectives": obj("Recovery objectives the drill must meet; ObjectivesMet reports them.", {
            "rto": duration("Recovery time objective: the drill's restore and checks must finish within it."),
            "rpo": duration("Recovery point objective: the restored backups must be at most this old."),
        }),
        "historyLimit": i32("How many runs status.history keeps.", minimum=1, maximum=100, default=10),
        "podSettings": pod_settings(),
    }, required=["policyRef"])
    status = obj("Observed state of the drill, written by the operator.", {
        "observedGeneration": i64("The .metadata.generation last acted on."),
        "conditions": conditions("Ready: the spec and policy are valid. LastDrillSucceeded: the newest finished "
                                 "run restored and passed every check. ObjectivesMet: it also met the RTO and "
                                 "RPO objectives."),
        "lastScheduleTime": t("When a run was last scheduled."),
        "nextScheduleTime": t("When the next run is due."),
        "missedRuns": i32("Runs skipped because they could not start before startingDeadlineSeconds."),
        "lastOnDemandToken": s("Value of the lifeboat.dev/drill-now annotation last acted on."),
        "lastRun": drill_run(True),
        "history": arr("Recent runs, newest first, at most spec.historyLimit.", drill_run(False), maxItems=100),
    })
    columns = [
        col("Policy", "string", ".spec.policyRef.name"),
        col("Schedule", "string", ".spec.schedule", priority=1),
        col("Last Result", "string", ".status.lastRun.result"),
        col("RTO", "string", ".status.lastRun.measuredRTO"),
        col("RPO", "string", ".status.lastRun.measuredRPO"),
        col("Objectives Met", "string", '.status.conditions[?(@.type=="ObjectivesMet")].status'),
        col("Last Run", "date", ".status.lastRun.startTime"),
        col("Age", "date", ".metadata.creationTimestamp"),
    ]
    return crd("DRDrill", "drdrills", ["drill"],
               "DRDrill rehearses a restore of a BackupPolicy's newest backups into scratch space on a schedule, "
               "checks the result against the backup's manifest, and measures RTO and RPO against objectives. "
               "Annotate it with lifeboat.dev/drill-now=<any new value> to run it now.", spec, status, columns)


def failover():
    member = lambda desc, conn_desc: obj(desc, {
        "connection": connection(conn_desc),
        "workload": workload_ref("The workload running this server."),
    })
    spec = obj("Promote a streaming replica to primary and move the application to it.", {
        "mode": s("Switchover: planned and without data loss; the primary is fenced, the replica must catch up "
                  "to it, then it is promoted. Failover: the primary is gone; the replica is promoted if its "
                  "lag is within maxLagBytes.", enum=["Switchover", "Failover"]),
        "primary": member("The current primary.", "How to reach the primary. Required for Switchover."),
        "replica": member("The replica to promote.", "How to reach the replica."),
        "maxLagBytes": i64("Failover only, required there: the most WAL (in bytes) the replica may be behind the "
                           "last known primary position and still be promoted.", minimum=0),
        "catchUpTimeoutSeconds": i32("Switchover only: how long the replica may take to replay everything the "
                                     "fenced primary wrote; on timeout the primary is unfenced and the "
                                     "switchover fails.", minimum=1, maximum=3600, default=60),
        "fencing": obj("How the old primary is stopped from taking writes.", {
            "scaleDown": b("Scale the primary's workload to zero.", default=True),
            "readOnly": b("Make the primary read-only (default_transaction_read_only, then end open sessions) "
                          "before anything else.", default=True),
        }),
        "service": obj("The application's Service, switched to the new primary.", {
            "name": s("Name of the Service in the same namespace.", minLength=1, maxLength=63, pattern=DNS_LABEL),
            "selector": string_map("The selector the Service gets: labels of the new primary's Pods.",
                                   minProperties=1),
        }, required=["name", "selector"]),
        "rejoin": obj("After a Switchover, make the old primary a streaming standby of the new one: with it "
                      "stopped, a Job on its data volume rewinds it (pg_rewind) and writes standby.signal and "
                      "primary_conninfo; a slot is created on the new primary; its StatefulSet is scaled back.", {
            "enabled": b("On by default for a Switchover (needs primary.workload to be a StatefulSet); a Failover "
                         "never rejoins."),
            "replicationSecret": name_ref("username and password for the standby's primary_conninfo. Defaults "
                                          "to the replica connection's credentialsSecret.", "Secret"),
        }),
        "podSettings": pod_settings(),
    }, required=["mode", "replica", "service"])
    status = obj("Observed state of the failover, written by the operator.", {
        "observedGeneration": i64("The .metadata.generation last acted on."),
        "phase": s("Summary.", enum=["Pending", "Running", "Succeeded", "Failed"]),
        "conditions": conditions("Succeeded: Unknown while running, then True or False with a reason."),
        "startTime": t("When the failover started."),
        "completionTime": t("When it finished."),
        "steps": step_list("The steps in order.", ["Validate", "Fence", "CatchUp", "Promote", "Switch", "Rejoin"]),
        "primaryLSN": s("The primary's WAL position when it was fenced (or the last known one).", pattern=LSN),
        "replicaLSN": s("The replica's replayed WAL position when it was promoted.", pattern=LSN),
        "dataLossBytes": i64("WAL bytes the promoted replica had not received (0 for a switchover).", minimum=0),
        "lagSource": s("What the lag gate and dataLossBytes were measured against: Primary (the primary "
                       "answered: its WAL position against what the replica received) or ReplicaReceived (it did "
                       "not: only what the replica received but had not replayed is known, so dataLossBytes is "
                       "unset).", enum=["Primary", "ReplicaReceived"]),
        "timeline": s("The promoted server's timeline (hex, as in WAL file names).", maxLength=8),
        "writeUnavailability": duration_status("How long writes were unavailable: from fencing (or the start) "
                                               "until the Service pointed at the new primary."),
        "previousSelector": string_map("The Service's selector before the switch, saved first."),
        "fencedReplicas": i32("The primary workload's replicas before it was scaled down, saved first.",
                              minimum=0),
    })
    columns = [
        col("Mode", "string", ".spec.mode"),
        col("Phase", "string", ".status.phase"),
        col("Step", "string", '.status.steps[?(@.state=="Running")].name'),
        col("Data Loss", "integer", ".status.dataLossBytes"),
        col("Write Downtime", "string", ".status.writeUnavailability"),
        col("Age", "date", ".metadata.creationTimestamp"),
    ]
    return crd("Failover", "failovers", ["fo"],
               "Failover promotes a PostgreSQL streaming replica: a planned Switchover without data loss, or a "
               "Failover when the primary is gone, then points the application's Service at the new primary.",
               spec, status, columns)


def col(name, type_, path, priority=0):
    c = {"name": name, "type": type_, "jsonPath": path}
    if priority:
        c["priority"] = priority
    return c


def crd(kind, plural, short_names, desc, spec, status, columns):
    schema = obj(desc, {
        "apiVersion": s("Versioned schema of this object: lifeboat.dev/v1alpha1."),
        "kind": s("Kind of this object."),
        "metadata": {"type": "object"},
        "spec": spec,
        "status": status,
    }, required=["spec"])
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "%s.%s" % (plural, GROUP),
                     "labels": {"app.kubernetes.io/name": "lifeboat", "app.kubernetes.io/part-of": "lifeboat"}},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": kind.lower(),
                      "shortNames": short_names, "categories": ["lifeboat"]},
            "versions": [{
                "name": VERSION, "served": True, "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
                "schema": {"openAPIV3Schema": schema},
            }],
        },
    }


HEADER = ("# Generated by tools/crdgen/crdgen.py: edit that file, then run\n"
          "#   /usr/bin/python3 tools/crdgen/crdgen.py crds config/crd/bases charts/lifeboat/crds\n"
          "# (tests fail when this file and the generator disagree).\n")

RESOURCES = [("backuppolicies", backup_policy), ("restorerequests", restore_request),
             ("drdrills", dr_drill), ("failovers", failover)]


class Dumper(yaml.SafeDumper):
    pass


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: crdgen.py OUTDIR...\n")
        return 2
    for out in argv[1:]:
        os.makedirs(out, exist_ok=True)
        for plural, build in RESOURCES:
            path = os.path.join(out, "%s.%s.yaml" % (GROUP, plural))
            with open(path, "w", encoding="utf-8") as f:
                f.write(HEADER)
                f.write("---\n")
                yaml.dump(build(), f, Dumper=Dumper, sort_keys=False, width=110, allow_unicode=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
