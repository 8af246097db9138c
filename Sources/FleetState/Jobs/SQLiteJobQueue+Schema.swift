extension SQLiteJobQueue {
    /// One row per job. `state` is waiting, active, completed or dead; a waiting
    /// job whose `run_at` is still ahead is reported as delayed. For an active job
    /// `run_at` is when its visibility ends. `live_key` holds the idempotency key
    /// while it is valid (NULLs never conflict), so an upsert on it is the atomic
    /// "same key, same job"; `expires_at` is when a completed or dead row is purged.
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS fleet_jobs (
            id TEXT PRIMARY KEY,
            queue TEXT NOT NULL,
            name TEXT NOT NULL,
            payload BLOB NOT NULL,
            priority INTEGER NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            idempotency_key TEXT,
            live_key TEXT,
            key_expires_at INTEGER,
            run_at INTEGER NOT NULL,
            result BLOB,
            last_error TEXT,
            enqueued_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            expires_at INTEGER
        )
        """,
        "CREATE INDEX IF NOT EXISTS fleet_jobs_ready ON fleet_jobs (queue, state, priority, run_at)",
        "CREATE UNIQUE INDEX IF NOT EXISTS fleet_jobs_key ON fleet_jobs (queue, live_key)",
        "CREATE INDEX IF NOT EXISTS fleet_jobs_expiry ON fleet_jobs (expires_at) WHERE expires_at IS NOT NULL",
    ]

    /// Takes due waiting jobs and expired deliveries (reclaimed first, then by
    /// priority and age) in one statement: SQLite runs it under its write lock,
    /// so two processes never take the same job.
    static let claimSQL = """
        UPDATE fleet_jobs SET state = 'active', attempts = attempts + 1, run_at = ?, updated_at = ?
        WHERE rowid IN (
            SELECT rowid FROM fleet_jobs
            WHERE queue = ? AND state IN ('waiting', 'active') AND run_at <= ?
              AND (state = 'waiting' OR attempts < max_attempts)
            ORDER BY state = 'active' DESC, priority, run_at, rowid
            LIMIT ?)
        RETURNING id, name, payload, attempts, idempotency_key, priority, rowid
        """

    /// Expired deliveries that were the job's last attempt: their consumer died each time.
    static let expireSQL = """
        UPDATE fleet_jobs SET state = 'dead', last_error = 'visibility timeout expired on attempt ' || attempts,
            updated_at = ?, expires_at = ?, payload = x''
        WHERE queue = ? AND state = 'active' AND run_at <= ? AND attempts >= max_attempts
        """

    static let enqueueSQL = """
        INSERT INTO fleet_jobs (id, queue, name, payload, priority, state, max_attempts, idempotency_key, live_key,
            key_expires_at, run_at, enqueued_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (queue, live_key) DO UPDATE SET live_key = excluded.live_key
        RETURNING id
        """

    static let failSQL = """
        UPDATE fleet_jobs SET
            state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'waiting' END,
            expires_at = CASE WHEN attempts >= max_attempts THEN ? END,
            payload = CASE WHEN attempts >= max_attempts THEN x'' ELSE payload END,
            run_at = ?, last_error = ?, updated_at = ?
        WHERE id = ? AND state = 'active' AND attempts = ?
        """

    static let depthSQL = """
        SELECT
            count(*) FILTER (WHERE state = 'waiting' AND run_at <= ?1) AS waiting,
            count(*) FILTER (WHERE state = 'waiting' AND run_at > ?1) AS delayed,
            count(*) FILTER (WHERE state = 'active') AS active,
            count(*) FILTER (WHERE state = 'dead') AS dead,
            min(run_at) FILTER (WHERE state = 'waiting' AND run_at <= ?1) AS oldest
        FROM fleet_jobs WHERE queue = ?2
        """
}
