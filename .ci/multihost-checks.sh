# Sourced by .ci/multihost: the checks that cross hosts. Each fails the run
# with a message saying what it saw. The probe host sends them, straight to
# the app hosts (so which host answers is known) or through nginx.

app_url() { echo "http://${address[$1]}:8080"; }
lb_url="http://${address[lb]}"
# One request from the probe host: prints the status, then the body.
probe_request() { on probe curl -s --max-time 5 -w '\n%{http_code}' "$@"; }
status_of() { tail -n 1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }
# The probe's rate-limit window (fixed, opened by its first request) must be over before a check counts.
fresh_window() { sleep 3.2; }

session_cookie=""

# Log in on app1; the session must work on app2, app3 and through nginx.
check_session_across_hosts() {
    local headers response host
    headers="$(on probe curl -s --max-time 5 -D - -o /dev/null -H 'Content-Type: application/json' \
        -d '{"email":"user1@example.com"}' "$(app_url app1)/login")"
    session_cookie="$(grep -i '^set-cookie: fleet_session=' <<<"$headers" | head -n 1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/' | tr -d '\r')"
    [ -n "$session_cookie" ] || fail "login on app1 set no session cookie: $headers"
    for host in app2 app3; do
        response="$(probe_request -H "Cookie: $session_cookie" "$(app_url "$host")/me")"
        [ "$(status_of "$response")" = 200 ] && grep -q user1@example.com <<<"$response" ||
            fail "session from app1 not accepted on $host: $response"
    done
    response="$(probe_request -H "Cookie: $session_cookie" "$lb_url/me")"
    [ "$(status_of "$response")" = 200 ] || fail "session not accepted through nginx: $response"
    echo "session: logged in on app1, /me answered 200 on app2, app3 and through nginx"
}

# N + k requests from one client within one window, spread over the three hosts
# and nginx (there with a forged X-Forwarded-For): exactly N pass.
check_global_rate_limit() {
    local extra=50 total args=() i started elapsed codes passed limited
    total=$((rate_limit + extra))
    for i in $(seq 0 $((total - 1))); do
        case $((i % 4)) in
            0) args+=(-s -o /dev/null -w '%{http_code}\n' "$(app_url app1)/users/1") ;;
            1) args+=(-s -o /dev/null -w '%{http_code}\n' "$(app_url app2)/users/1") ;;
            2) args+=(-s -o /dev/null -w '%{http_code}\n' "$(app_url app3)/users/1") ;;
            3) args+=(-s -o /dev/null -w '%{http_code}\n' -H "X-Forwarded-For: 198.51.100.$i" "$lb_url/users/1") ;;
        esac
        [ "$i" -lt $((total - 1)) ] && args+=(--next)
    done
    fresh_window
    started=$(date +%s%N)
    codes="$(on probe curl -s --parallel --parallel-max 25 --max-time 5 "${args[@]}" 2>/dev/null)"
    elapsed=$((($(date +%s%N) - started) / 1000000))
    passed=$(grep -c '^200$' <<<"$codes" || true)
    limited=$(grep -c '^429$' <<<"$codes" || true)
    [ "$elapsed" -lt 2800 ] || fail "the burst took ${elapsed} ms, longer than the ${rate_window} window it tests"
    [ "$passed" = "$rate_limit" ] && [ "$limited" = "$extra" ] ||
        fail "rate limit $rate_limit/$rate_window across hosts: $passed passed and $limited were refused of $total (want $rate_limit and $extra); statuses: $(sort <<<"$codes" | uniq -c | tr '\n' ' ')"
    echo "rate limit: $total requests in ${elapsed} ms over app1-3 and nginx (forged X-Forwarded-For): exactly $passed passed, $limited got 429"
}

# A write on app1 is read back on app2 and app3, whose caches held the old user.
check_write_read_across_hosts() {
    local name response host deadline
    fresh_window
    for host in app2 app3; do
        response="$(probe_request "$(app_url "$host")/users/5")"
        [ "$(status_of "$response")" = 200 ] || fail "GET /users/5 on $host: $response"
    done
    name="renamed-$RANDOM"
    response="$(probe_request -X PUT -H 'Content-Type: application/json' \
        -d "{\"name\":\"$name\",\"email\":\"user5@example.com\"}" "$(app_url app1)/users/5")"
    [ "$(status_of "$response")" = 200 ] || fail "PUT /users/5 on app1: $response"
    for host in app2 app3; do
        deadline=$(($(date +%s%N) + 1000000000))
        until response="$(probe_request "$(app_url "$host")/users/5")"; grep -q "$name" <<<"$response"; do
            [ "$(date +%s%N)" -lt "$deadline" ] || fail "app1 wrote $name; $host still answers $response after 1 s"
            sleep 0.05
        done
    done
    echo "cache: PUT on app1, the new name read back on app2 and app3 (caches invalidated)"
}

# Reads go to the replica, writes and cache loads to the primary: with the
# replica's replay paused, a new user is missing from lists (replica) yet found
# by id (the cache loads from the primary) and can log in (a replica miss is
# asked again of the primary); once replay resumes the list has it too.
check_read_replica() {
    local email response id listed
    fresh_window
    psql_replica "SELECT pg_wal_replay_pause()" >/dev/null
    email="replica-$RANDOM@example.com"
    response="$(probe_request -H 'Content-Type: application/json' -d "{\"name\":\"replica\",\"email\":\"$email\"}" "$(app_url app1)/users")"
    [ "$(status_of "$response")" = 201 ] || { psql_replica "SELECT pg_wal_replay_resume()"; fail "POST /users on app1: $response"; }
    id="$(body_of "$response" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
    listed="$(probe_request "$(app_url app2)/users?after=$((id - 1))&limit=1")"
    response="$(probe_request "$(app_url app2)/users/$id")"
    login="$(probe_request -H 'Content-Type: application/json' -d "{\"email\":\"$email\"}" "$(app_url app3)/login")"
    psql_replica "SELECT pg_wal_replay_resume()" >/dev/null
    ! grep -q "$email" <<<"$listed" || fail "replay was paused, yet the list on app2 shows the new user: lists do not read the replica ($listed)"
    [ "$(status_of "$response")" = 200 ] || fail "GET /users/$id on app2 right after the write: $response (want 200 from the primary)"
    [ "$(status_of "$login")" = 200 ] || fail "login as the new user on app3 (through PgBouncer) while the replica lags: $login"
    time_until "the list on app2 shows the new user once replay resumed" 3000 \
        grep_url "$email" "$(app_url app2)/users?after=$((id - 1))&limit=1" >/dev/null
    echo "replica: replay paused, the new user missing from lists (replica) but read by id and logged in (primary); listed after replay"
}
grep_url() { on probe curl -s --max-time 3 "$2" | grep -q "$1"; }

# A chat message sent on one host reaches a client of the same room on another
# (the rooms' broadcaster runs on Redis): app1 and app3 directly, and nginx's
# WebSocket upgrade to whichever host it picks.
check_chat_across_hosts() {
    local room="multihost-$RANDOM" out
    out="$(on probe python3 .ci/multihost-chat.py "ws://${address[app1]}:8080/chat/$room" "ws://${address[app3]}:8080/chat/$room")" ||
        fail "$out"
    echo "$out (app1 and app3)"
    out="$(on probe python3 .ci/multihost-chat.py "ws://${address[app2]}:8080/chat/$room" "ws://${address[lb]}/chat/$room")" ||
        fail "$out"
    echo "$out (app2 and through nginx)"
}

# While Redis is down, each worker's insurance limiter allows its share
# (limit / (3 hosts x 2 workers), RATE_LIMIT_HOSTS=3) per window: one host lets
# through at most 2 shares per window the burst spans, so the fleet at most the limit.
check_insurance_limiter() {
    local total=$((rate_limit * 3 / 2)) args=() i codes passed limited started elapsed windows most
    for i in $(seq 1 "$total"); do
        args+=(-s -o /dev/null -w '%{http_code}\n' "$(app_url app1)/users/2")
        [ "$i" -lt "$total" ] && args+=(--next)
    done
    started=$(date +%s%N)
    codes="$(on probe curl -s --parallel --parallel-max 25 --max-time 5 "${args[@]}" 2>/dev/null)"
    elapsed=$((($(date +%s%N) - started) / 1000000))
    # A request that retries Redis waits for its lease timeout (1 s), so on a busy machine the
    # burst can outlast a window; each worker then opens one more.
    windows=$((elapsed / ${rate_window%s}000 + 1))
    most=$((2 * ((rate_limit + 5) / 6) * windows))
    passed=$(grep -c '^200$' <<<"$codes" || true)
    limited=$(grep -c '^429$' <<<"$codes" || true)
    [ "$windows" -le 1 ] || [ "$most" -lt "$total" ] || fail "the insurance burst took ${elapsed} ms: too slow to test a ${rate_window} window"
    [ "$passed" -ge 1 ] && [ "$passed" -le "$most" ] && [ "$limited" -ge 1 ] && [ $((passed + limited)) = "$total" ] ||
        fail "insurance limiter with Redis down: $passed passed, $limited refused of $total at one host in ${elapsed} ms (want 1 to $most passed, the rest 429); statuses: $(sort <<<"$codes" | uniq -c | tr '\n' ' ')"
    echo "insurance: Redis down, $total requests at app1 in ${elapsed} ms: $passed passed (at most $most), $limited got 429 (limit $rate_limit shared by 3 hosts x 2 workers)"
}

# The session made before the Redis restart is valid again once the apps have
# reconnected (their backoff, with jitter, grows while Redis is away).
check_session_survives() {
    local waited
    waited=$(time_until "the session from before the Redis restart answering 200 on app3" 8000 session_valid app3)
    echo "session: valid again on app3 ${waited} ms after this check began (Redis restarted)"
}
session_valid() { [ "$(on probe curl -s -o /dev/null --max-time 2 -w '%{http_code}' -H "Cookie: $session_cookie" "$(app_url "$1")/me")" = 200 ]; }
