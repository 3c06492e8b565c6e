"""Where a RestoreRequest's wall time goes, for bench/restore/run.sh.

Usage: breakdown.py DIR T_APPLY T_SUCCEEDED
DIR holds the watch logs the bench wrote ("<epoch seconds> <watch line>" per change of a Job,
Pod or RestoreRequest: jobs.watch, pods.watch, rr.watch) and the final objects (jobs.json,
pods.json; the Jobs are those of one RestoreRequest). Prints a timeline (seconds since `kubectl apply`), the Jobs' own status times, the
agents' result fields, and the time split into Jobs and operator/scheduling gaps.
"""
import json
import sys
from datetime import datetime

STEP_LABEL = "lifeboat.dev/restore-step"


def read_watch(path):
    """[(stamp, name, rest)] in arrival order."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 2)
                if len(parts) >= 2 and parts[1]:
                    out.append((float(parts[0]), parts[1], parts[2] if len(parts) > 2 else ""))
    except FileNotFoundError:
        pass
    return out


def first(entries, name, predicate=lambda rest: True):
    for stamp, n, rest in entries:
        if n == name and predicate(rest):
            return stamp
    return None


def parse_time(text):
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def main():
    work, t_apply, t_done = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    jobs_watch = read_watch(f"{work}/jobs.watch")
    pods_watch = read_watch(f"{work}/pods.watch")
    jobs = json.load(open(f"{work}/jobs.json"))["items"]
    pods = json.load(open(f"{work}/pods.json"))["items"]

    def rel(stamp):
        return None if stamp is None else stamp - t_apply

    timeline = []  # (relative seconds, what)
    per_job = {}
    order = {"validate": 0, "restore-database": 1}
    jobs.sort(key=lambda j: (order.get(j["metadata"].get("labels", {}).get(STEP_LABEL, ""), 9), j["metadata"]["name"]))
    for job in jobs:
        name = job["metadata"]["name"]
        step = job["metadata"].get("labels", {}).get(STEP_LABEL, "?")
        label = {"validate": "catalog", "restore-database": "restore"}.get(step, step)
        job_pods = [p for p in pods if p["metadata"].get("labels", {}).get("job-name") == name]
        pod_name = job_pods[0]["metadata"]["name"] if job_pods else ""
        result = {}
        if job_pods:
            for cs in job_pods[0].get("status", {}).get("containerStatuses", []):
                message = cs.get("state", {}).get("terminated", {}).get("message", "")
                try:
                    result = json.loads(message) if message else {}
                except json.JSONDecodeError:
                    result = {}
        t = {
            "created": first(jobs_watch, name),
            "pod_seen": first(pods_watch, pod_name),
            "pod_running": first(pods_watch, pod_name, lambda r: r.startswith("Running")),
            "pod_done": first(pods_watch, pod_name, lambda r: r.startswith(("Succeeded", "Failed"))),
            "complete": first(jobs_watch, name, lambda r: "Complete" in r.split("conditions=", 1)[-1].split()),
        }
        status = job.get("status", {})
        start, completion = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
        per_job[label] = {"name": name, "t": t, "result": result,
                          "status_seconds": (completion - start).total_seconds() if start and completion else None}
        timeline += [(rel(t["created"]), f"{label} Job created ({name})"),
                     (rel(t["pod_seen"]), f"{label} Pod created ({pod_name})"),
                     (rel(t["pod_running"]), f"{label} Pod Running (process started)"),
                     (rel(t["pod_done"]), f"{label} Pod {job_pods[0]['status'].get('phase') if job_pods else '?'} (process exited)"),
                     (rel(t["complete"]), f"{label} Job Complete")]
    timeline.append((t_done - t_apply, "RestoreRequest Succeeded=True"))
    print(f"  where the {t_done - t_apply:.2f}s go (watch stamps, seconds since kubectl apply):")
    for seconds, what in sorted((s, w) for s, w in timeline if s is not None):
        print(f"  +{seconds:7.2f}s  {what}")
    missing = [w for s, w in timeline if s is None]
    if missing:
        print("  (not seen by the watches: " + "; ".join(missing) + ")")

    total = t_done - t_apply

    def gap(a, b):
        return None if a is None or b is None else b - a

    def fmt(x):
        return "   ?   " if x is None else f"{round(x, 2) + 0.0:7.2f}"  # no "-0.00"

    print("  Jobs (their own status startTime → completionTime, 1 s resolution; agent result fields):")
    for label, j in per_job.items():
        r = j["result"]
        extra = f"agent durationSeconds {r.get('durationSeconds')}"
        db = r.get("database") or {}
        if db:
            extra += (f", restoreSeconds {db.get('restoreSeconds')} (dataSeconds {db.get('dataSeconds')} streamed, the rest "
                      f"post-data -j), verifySeconds {db.get('verifySeconds')} ({db.get('tablesVerified')} tables, "
                      f"checksums {db.get('checksumsVerified')})")
        print(f"    {label:8s} {j['name']}: {j['status_seconds']}s; {extra}")

    cat = per_job.get("catalog", {}).get("t", {})
    res = per_job.get("restore", {}).get("t", {})
    res_result = per_job.get("restore", {}).get("result", {})
    cat_result = per_job.get("catalog", {}).get("result", {})
    rows = [
        ("operator: apply → catalog Job created (validate)", gap(t_apply, cat.get("created"))),
        ("catalog Job: created → Pod Running (job runner start)", gap(cat.get("created"), cat.get("pod_running"))),
        ("catalog Job: Pod Running → exited (agent catalog)", gap(cat.get("pod_running"), cat.get("pod_done"))),
        ("catalog Job: Pod exited → Job Complete", gap(cat.get("pod_done"), cat.get("complete"))),
        ("operator: catalog Complete → restore Job created", gap(cat.get("complete"), res.get("created"))),
        ("restore Job: created → Pod Running (job runner start)", gap(res.get("created"), res.get("pod_running"))),
        ("restore Job: Pod Running → exited (agent restore)", gap(res.get("pod_running"), res.get("pod_done"))),
        ("restore Job: Pod exited → Job Complete", gap(res.get("pod_done"), res.get("complete"))),
        ("operator: restore Complete → Succeeded=True", gap(res.get("complete"), t_done)),
    ]
    print("  Split (seconds, share of the total):")
    for what, seconds in rows:
        share = "" if seconds is None else f" {round(100 * seconds / total, 1) + 0.0:5.1f}%"
        print(f"    {fmt(seconds)}{share}  {what}")
    known = [s for _, s in rows if s is not None]
    if len(known) == len(rows):
        agent_run = rows[6][1]
        overhead = total - agent_run
        print(f"    {total:7.2f}  total; outside the restore agent's process: {overhead:.2f}s "
              f"({100 * overhead / total:.1f}%)")
        d = res_result.get("durationSeconds")
        db = res_result.get("database") or {}
        parts = [db.get("restoreSeconds"), db.get("dataSeconds"), db.get("verifySeconds")]
        if isinstance(d, (int, float)) and all(isinstance(x, (int, float)) for x in parts):
            restore_s, data_s, verify_s = parts
            print(f"  restore agent process {agent_run:.2f}s:")
            for seconds, what in [
                (agent_run - d, "process start and exit (outside the agent's durationSeconds)"),
                (d - restore_s - verify_s, "finding the backup's manifest in the repository (restic)"),
                (data_s, "CREATE DATABASE + restic dump streamed into pg_restore pre-data and data"),
                (restore_s - data_s, "pg_restore -j2 --section=post-data (indexes, constraints)"),
                (verify_s, "verification (row counts" + (", checksums" if db.get("checksumsVerified") else "") + ")"),
            ]:
                print(f"    {seconds:7.2f} {100 * seconds / total:5.1f}%  {what}")
        c = cat_result.get("durationSeconds")
        if isinstance(c, (int, float)):
            print(f"  catalog agent: process {rows[2][1]:.2f}s, of which its own durationSeconds {c}s")


if __name__ == "__main__":
    main()
