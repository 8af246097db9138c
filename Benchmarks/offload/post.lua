-- wrk script: POST the same 64 KiB body to the path given on the command line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.body = string.rep("fleet-offload-", 4681)
