import FleetRedis

/// The Redis side of `RateLimitCell`: the same arithmetic in one Lua script,
/// so a check and its update are one atomic step on the server, timed by the
/// server's own clock (`TIME`), whichever worker sends it.
enum RateLimitScript {
    /// KEYS: one hash per check. ARGV, five per check: algorithm (1 fixed
    /// window, 2 sliding window, 3 GCRA), limit, window ms, block ms, cost;
    /// then, optionally, a lease for a single check: the most extra points
    /// and the share (a lease takes at most 1/share of what is left), and
    /// points of an expired lease handed back with the window they came from.
    /// Returns allowed (0/1), the deciding check (1-based), remaining, reset
    /// ms, retry ms, the points leased, and the first check's window (its
    /// start; GCRA: its theoretical arrival time).
    static let acquire = RedisScript(
        #"""
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local outcomes = {}
        local rejected = nil
        local fewest = nil
        local leaseMax = #KEYS == 1 and tonumber(ARGV[6]) or 0
        local leaseShare = math.max(1, tonumber(ARGV[7]) or 1)
        local leased = 0
        local refund = #KEYS == 1 and tonumber(ARGV[8]) or 0
        for i = 1, #KEYS do
          local o = (i - 1) * 5
          local algorithm, limit, window = tonumber(ARGV[o + 1]), tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3])
          local block, cost = tonumber(ARGV[o + 4]), tonumber(ARGV[o + 5])
          local s = redis.call('HMGET', KEYS[i], 't', 'c', 'p', 'b')
          local t, c, p, b = tonumber(s[1]) or 0, tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0
          local allowed, remaining, reset, retry, expires = false, 0, 0, 0, 0
          local changed = false
          -- Unspent leased points go back only to the window that lent them; GCRA's arrival time moves back.
          if refund > 0 then
            if algorithm == 3 then
              t = math.max(0, t - refund * math.max(1, math.floor((window + limit - 1) / limit)))
            elseif t == tonumber(ARGV[9]) then
              c = math.max(0, c - refund)
            end
          end
          if b > now + block then b = 0 end
          if b > now then
            reset = b - now; retry = reset; expires = b
          else
            if algorithm == 1 then
              if (t == 0 and c == 0) or now >= t + window or t > now then t = now; c = 0 end
              reset = t + window - now; expires = t + window
              if c + cost <= limit then
                allowed = true; c = c + cost
                leased = math.min(leaseMax, math.floor((limit - c) / leaseShare))
                c = c + leased; remaining = limit - c
              else
                remaining = math.max(0, limit - c); retry = reset
              end
            elseif algorithm == 2 then
              local current = now - now % window
              if t == current - window then p = c; c = 0 elseif t ~= current then p = 0; c = 0 end
              t = current
              local elapsed = now - current
              local used = c + math.floor((p * (window - elapsed) + window - 1) / window)
              reset = window - elapsed; expires = current + 2 * window
              if used + cost <= limit then
                allowed = true
                leased = math.min(leaseMax, math.floor((limit - used - cost) / leaseShare))
                c = c + cost + leased; remaining = limit - used - cost - leased
              else
                remaining = math.max(0, limit - used)
                local spare = limit - cost - c
                if spare >= 0 then
                  retry = math.max(0, window - elapsed - math.floor(spare * window / p))
                else
                  retry = reset + math.max(0, window - math.floor((limit - cost) * window / c))
                end
                retry = math.max(1, retry)
              end
            else
              local interval = math.max(1, math.floor((window + limit - 1) / limit))
              local capacity = limit * interval
              if t > now + capacity then t = 0 end
              local start = math.max(t, now)
              local arrival = start + cost * interval
              if arrival - now <= capacity then
                leased = math.min(leaseMax, math.floor(math.floor((capacity - (arrival - now)) / interval) / leaseShare))
                allowed = true; t = arrival + leased * interval
                remaining = math.floor((capacity - (t - now)) / interval); reset = t - now; expires = t
              else
                remaining = math.max(0, math.floor((capacity - (start - now)) / interval))
                reset = start - now; retry = arrival - now - capacity; expires = start
              end
            end
            if not allowed and block > 0 then
              b = now + block; changed = true
              retry = math.max(retry, block); reset = math.max(reset, block); expires = math.max(expires, b)
            end
          end
          outcomes[i] = {allowed, t, c, p, b, expires, changed}
          if not allowed and rejected == nil then
            rejected = {0, i, remaining, reset, retry, 0}
          elseif allowed and (fewest == nil or remaining < fewest[3]) then
            fewest = {1, i, remaining, reset, 0, leased}
          end
        end
        for i = 1, #KEYS do
          local r = outcomes[i]
          if (rejected == nil and r[1]) or r[7] then
            redis.call('HSET', KEYS[i], 't', r[2], 'c', r[3], 'p', r[4], 'b', r[5])
            redis.call('PEXPIRE', KEYS[i], math.max(1, r[6] - now))
          end
        end
        local result = rejected or fewest
        result[7] = outcomes[1][2]
        return result
        """#
    )
}
