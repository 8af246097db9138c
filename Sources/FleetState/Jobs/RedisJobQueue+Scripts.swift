import FleetRedis

/// The Lua scripts behind `RedisJobQueue`. Job hash fields: n name, p payload,
/// pr priority, st state, a attempts (deliveries), m max attempts, k idempotency key,
/// x stream entry id, r result, err last error, e enqueued and u updated (ms since the epoch).
/// Time is always Redis's own (`TIME`), so machines with skewed clocks agree on delays.
extension RedisJobQueue {
    static let now = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

    /// KEYS: job hash, stream of its priority, delayed set, [idempotency key];
    /// ARGV: id, name, payload, priority, delay ms, max attempts, idempotency TTL ms, group, idempotency key.
    /// Returns the new id, or the id the idempotency key already names.
    static let enqueueScript = RedisScript(
        now + """
            if #KEYS > 3 then
              local existing = redis.call('GET', KEYS[4])
              if existing then return existing end
              redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[7])
            end
            redis.call('HSET', KEYS[1], 'n', ARGV[2], 'p', ARGV[3], 'pr', ARGV[4], 'a', 0, 'm', ARGV[6], 'k', ARGV[9], 'e', now, 'u', now)
            local delay = tonumber(ARGV[5])
            if delay > 0 then
              redis.call('HSET', KEYS[1], 'st', 'delayed')
              redis.call('ZADD', KEYS[3], now + delay, ARGV[1])
            else
              if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[8], '0', 'MKSTREAM') end
              redis.call('HSET', KEYS[1], 'st', 'waiting', 'x', redis.call('XADD', KEYS[2], '*', 'id', ARGV[1]))
            end
            return ARGV[1]
            """)

    /// KEYS: the three streams, delayed set, dead stream;
    /// ARGV: group, consumer, limit, visibility ms, job hash prefix, dead TTL ms,
    /// then (stream index, entry id, job id) triples a blocking read delivered.
    /// Returns the ms until the next delayed job is due or the next delivery expires
    /// (-1: neither), then one
    /// {id, name, payload, attempt, idempotency key} per job.
    static let claimScript = RedisScript(
        now + """
            local group, consumer, limit, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[5]
            for i = 1, 3 do
              if redis.call('EXISTS', KEYS[i]) == 0 then redis.call('XGROUP', 'CREATE', KEYS[i], group, '0', 'MKSTREAM') end
            end
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)) do
              redis.call('ZREM', KEYS[4], id)
              local priority = redis.call('HGET', prefix .. id, 'pr')
              if priority then
                local entry = redis.call('XADD', KEYS[tonumber(priority) + 1], '*', 'id', id)
                redis.call('HSET', prefix .. id, 'st', 'waiting', 'x', entry, 'u', now)
              end
            end
            local out = {}
            local function drop(stream, entry)
              redis.call('XACK', stream, group, entry)
              redis.call('XDEL', stream, entry)
            end
            -- A delivery past the job's last attempt (its consumer died each time) goes to the dead letters.
            local function deliver(stream, entry, id, reclaimed)
              local key = prefix .. id
              local job = redis.call('HMGET', key, 'n', 'p', 'a', 'm', 'k')
              if not job[1] then drop(stream, entry) return end
              local attempts = tonumber(job[3])
              if #out >= limit then
                drop(stream, entry)
                redis.call('HSET', key, 'x', redis.call('XADD', stream, '*', 'id', id))
              elseif reclaimed and attempts >= tonumber(job[4]) then
                drop(stream, entry)
                redis.call('HSET', key, 'st', 'dead', 'err', 'visibility timeout expired on attempt ' .. attempts, 'u', now)
                redis.call('HDEL', key, 'x')
                redis.call('PEXPIRE', key, ARGV[6])
                redis.call('XADD', KEYS[5], 'MAXLEN', '~', 10000, '*', 'id', id)
              else
                redis.call('HSET', key, 'st', 'active', 'a', attempts + 1, 'x', entry, 'u', now)
                out[#out + 1] = {id, job[1], job[2], attempts + 1, job[5]}
              end
            end
            for i = 7, #ARGV, 3 do deliver(KEYS[tonumber(ARGV[i]) + 1], ARGV[i + 1], ARGV[i + 2], false) end
            for i = 1, 3 do
              if #out >= limit then break end
              local claimed = redis.call('XAUTOCLAIM', KEYS[i], group, consumer, ARGV[4], '0-0', 'COUNT', limit - #out)
              for _, e in ipairs(claimed[2]) do if e and e[2] then deliver(KEYS[i], e[1], e[2][2], true) end end
            end
            for i = 1, 3 do
              if #out >= limit then break end
              local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', limit - #out, 'STREAMS', KEYS[i], '>')
              if read then for _, e in ipairs(read[1][2]) do deliver(KEYS[i], e[1], e[2][2], false) end end
            end
            local due = -1
            local next = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
            if next[2] then due = math.max(0, tonumber(next[2]) - now) end
            -- The oldest delivery of each stream is the next to expire, unless it was reclaimed since.
            for i = 1, 3 do
              local pending = redis.call('XPENDING', KEYS[i], group, '-', '+', 1)
              if pending[1] then
                local expires = math.max(0, tonumber(ARGV[4]) - pending[1][3])
                if due < 0 or expires < due then due = expires end
              end
            end
            table.insert(out, 1, due)
            return out
            """)

    /// KEYS: job hash, the three streams; ARGV: group, result, completed TTL ms.
    /// A delivery that was reclaimed meanwhile may still complete: the work is done.
    static let completeScript = RedisScript(
        now + """
            local job = redis.call('HMGET', KEYS[1], 'st', 'pr', 'x')
            if job[1] ~= 'active' then return 0 end
            local stream = KEYS[tonumber(job[2]) + 2]
            redis.call('XACK', stream, ARGV[1], job[3])
            redis.call('XDEL', stream, job[3])
            redis.call('HSET', KEYS[1], 'st', 'completed', 'r', ARGV[2], 'u', now)
            redis.call('HDEL', KEYS[1], 'p', 'x')
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """)

    /// KEYS: job hash, the three streams, delayed set, dead stream;
    /// ARGV: group, attempt, error, backoff ms, dead TTL ms, id.
    /// Only the current delivery (same attempt) may fail the job.
    static let failScript = RedisScript(
        now + """
            local job = redis.call('HMGET', KEYS[1], 'st', 'pr', 'x', 'a', 'm')
            if job[1] ~= 'active' or job[4] ~= ARGV[2] then return 0 end
            local stream = KEYS[tonumber(job[2]) + 2]
            redis.call('XACK', stream, ARGV[1], job[3])
            redis.call('XDEL', stream, job[3])
            redis.call('HDEL', KEYS[1], 'x')
            if tonumber(job[4]) >= tonumber(job[5]) then
              redis.call('HSET', KEYS[1], 'st', 'dead', 'err', ARGV[3], 'u', now)
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
              redis.call('XADD', KEYS[6], 'MAXLEN', '~', 10000, '*', 'id', ARGV[6])
              return 2
            end
            redis.call('HSET', KEYS[1], 'st', 'delayed', 'err', ARGV[3], 'u', now)
            redis.call('ZADD', KEYS[5], now + tonumber(ARGV[4]), ARGV[6])
            return 1
            """)

    /// KEYS: job hash, the three streams; ARGV: group, attempt, id.
    /// Requeues at the stream's tail and takes back the attempt the delivery counted.
    static let releaseScript = RedisScript(
        now + """
            local job = redis.call('HMGET', KEYS[1], 'st', 'pr', 'x', 'a')
            if job[1] ~= 'active' or job[4] ~= ARGV[2] then return 0 end
            local stream = KEYS[tonumber(job[2]) + 2]
            redis.call('XACK', stream, ARGV[1], job[3])
            redis.call('XDEL', stream, job[3])
            local entry = redis.call('XADD', stream, '*', 'id', ARGV[3])
            redis.call('HSET', KEYS[1], 'st', 'waiting', 'a', tonumber(job[4]) - 1, 'x', entry, 'u', now)
            return 1
            """)

    /// KEYS: the three streams, delayed set, dead stream; ARGV: group.
    /// Returns {waiting, delayed, active, dead, age in ms of the oldest undelivered entry or -1}.
    /// Entries stay in a stream until acknowledged, so waiting = length - pending.
    static let depthScript = RedisScript(
        now + """
            local waiting, active, oldest = 0, 0, nil
            for i = 1, 3 do
              if redis.call('EXISTS', KEYS[i]) == 1 then
                for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[i])) do
                  local info = {}
                  for j = 1, #g, 2 do info[g[j]] = g[j + 1] end
                  if info['name'] == ARGV[1] then
                    active = active + info['pending']
                    waiting = waiting + redis.call('XLEN', KEYS[i]) - info['pending']
                    local next = redis.call('XRANGE', KEYS[i], '(' .. info['last-delivered-id'], '+', 'COUNT', 1)
                    if next[1] then
                      local ms = tonumber(string.match(next[1][1], '^(%d+)'))
                      if not oldest or ms < oldest then oldest = ms end
                    end
                  end
                end
              end
            end
            local age = -1
            if oldest then age = math.max(0, now - oldest) end
            return {waiting, redis.call('ZCARD', KEYS[4]), active, redis.call('XLEN', KEYS[5]), age}
            """)
}
