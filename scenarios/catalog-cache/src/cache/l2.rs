//! L2: Redis, shared by every instance.
//!
//! Keys (after the namespace `ns`): `ns:v:<key>` holds a [`Stored`] value
//! with a physical TTL of its soft TTL plus a grace period, so a
//! just-expired value can still be served while one instance recomputes;
//! `ns:lease:<key>` is the recompute lease (`SET NX PX`, a random token);
//! `ns:tag:<tag>` is the set of keys in a group ([`Tag`]).
//!
//! Two Lua scripts keep the moving parts atomic:
//! - [`STORE`]: store only while still holding the lease. A write's
//!   invalidation deletes the lease, so a recompute that started before
//!   the write cannot put its (now stale) answer back afterwards.
//! - [`INVALIDATE`]: delete the named keys and every key of the named tags
//!   (with their leases), then publish what went, in one step.
//!
//! Every command runs with a timeout and behind the [`Breaker`]; a refused,
//! failed or late command is an [`L2Down`], which the caller answers from
//! the database. The scripts read keys they are not passed in `KEYS`
//! (the members of a tag set): fine on one Redis, not on a cluster.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Client, PushKind, Script, Value as RedisValue};
use tokio::sync::oneshot;

use super::breaker::Breaker;
use super::entry::{Key, Stored, Tag};
use super::metrics::CacheMetrics;

/// Redis was unavailable (refused by the breaker, failed, or timed out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Down;

/// Lua: `KEYS[1]` value, `KEYS[2]` lease; `ARGV`: token, payload, value TTL
/// (ms), tag-set TTL (ms), the key's name, then the tag-set keys.
pub const STORE: &str = r#"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
for i = 6, #ARGV do
  redis.call('SADD', ARGV[i], ARGV[5])
  redis.call('PEXPIRE', ARGV[i], ARGV[4])
end
return 1
"#;

/// Lua: `ARGV`: namespace, channel, sender id, number of key names n, the
/// n key names, then tag names. Deletes values and leases, resolves and
/// deletes tag sets, publishes `i <sender>`, `k <name>` and `t <tag>`
/// lines; returns the number of keys named.
pub const INVALIDATE: &str = r#"
local ns, channel, sender = ARGV[1], ARGV[2], ARGV[3]
local n = tonumber(ARGV[4])
local names, lines = {}, {'i ' .. sender}
for i = 5, 4 + n do names[#names + 1] = ARGV[i] end
for i = 5 + n, #ARGV do
  local set = ns .. ':tag:' .. ARGV[i]
  for _, name in ipairs(redis.call('SMEMBERS', set)) do names[#names + 1] = name end
  redis.call('DEL', set)
  lines[#lines + 1] = 't ' .. ARGV[i]
end
for _, name in ipairs(names) do
  redis.call('DEL', ns .. ':v:' .. name, ns .. ':lease:' .. name)
  lines[#lines + 1] = 'k ' .. name
end
redis.call('PUBLISH', channel, table.concat(lines, '\n'))
return #names
"#;

/// Lua: `ARGV`: namespace, channel, sender id. Deletes every value of the
/// namespace (SCAN, so Redis keeps serving meanwhile) and publishes `a`:
/// everything is invalid.
pub const FLUSH: &str = r#"
local ns, channel, sender = ARGV[1], ARGV[2], ARGV[3]
local cursor, n = '0', 0
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ns .. ':v:*', 'COUNT', 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do n = n + redis.call('DEL', k) end
until cursor == '0'
redis.call('PUBLISH', channel, 'i ' .. sender .. '\na')
return n
"#;

/// An invalidation as published: who sent it, which keys and tags, or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalidation {
    pub sender: String,
    pub keys: Vec<Key>,
    pub tags: Vec<Tag>,
    /// Everything is invalid (L2 was flushed).
    pub all: bool,
}

impl Invalidation {
    /// Parses a published message; unknown lines are skipped (and counted
    /// by the caller as nothing), so a newer sender cannot break an older
    /// receiver.
    pub fn parse(text: &str) -> Invalidation {
        let mut out = Invalidation::default();
        for line in text.lines() {
            match line.split_once(' ') {
                Some(("i", s)) => out.sender = s.to_owned(),
                Some(("k", k)) => out.keys.extend(Key::parse(k)),
                Some(("t", t)) => out.tags.extend(Tag::parse(t)),
                None if line == "a" => out.all = true,
                _ => {}
            }
        }
        out
    }
}

/// The Redis side of one instance.
#[derive(Debug, Clone)]
pub struct L2 {
    conn: ConnectionManager,
    breaker: Arc<Breaker>,
    metrics: Arc<CacheMetrics>,
    timeout: Duration,
    ns: Arc<str>,
    store: Arc<Script>,
    invalidate: Arc<Script>,
    flush: Arc<Script>,
    tokens: Arc<AtomicU64>,
}

/// Settings of the Redis connection.
#[derive(Debug, Clone)]
pub struct L2Config {
    pub url: String,
    pub namespace: String,
    /// Per command; also the connection manager's response timeout.
    pub timeout: Duration,
    pub breaker_failures: u32,
    pub breaker_cooldown: Duration,
}

/// The Redis URL with RESP3 switched on (pub/sub pushes need it).
fn resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}

fn manager_config(timeout: Duration) -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_response_timeout(Some(timeout))
        .set_connection_timeout(Some(timeout * 4))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(20))
        .set_max_delay(Duration::from_millis(500))
}

impl L2 {
    /// Opens (lazily) the command connection. Fails only on a malformed URL:
    /// a Redis that is down at start is the breaker's business.
    pub fn connect(config: &L2Config, metrics: Arc<CacheMetrics>) -> Result<L2, String> {
        let client = Client::open(config.url.as_str())
            .map_err(|e| format!("REDIS_URL {}: {e}", config.url))?;
        let conn = ConnectionManager::new_lazy_with_config(client, manager_config(config.timeout))
            .map_err(|e| format!("REDIS_URL {}: {e}", config.url))?;
        Ok(L2 {
            conn,
            breaker: Arc::new(Breaker::new(
                config.breaker_failures,
                config.breaker_cooldown,
            )),
            metrics,
            timeout: config.timeout,
            ns: config.namespace.as_str().into(),
            store: Arc::new(Script::new(STORE)),
            invalidate: Arc::new(Script::new(INVALIDATE)),
            flush: Arc::new(Script::new(FLUSH)),
            tokens: Arc::new(AtomicU64::new(perflab_kit::mix64(
                std::process::id() as u64 ^ now_nanos(),
            ))),
        })
    }

    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    pub fn channel(&self) -> String {
        format!("{}:invalidate", self.ns)
    }

    fn value_key(&self, key: &Key) -> String {
        format!("{}:v:{}", self.ns, key.name())
    }

    fn lease_key(&self, key: &Key) -> String {
        format!("{}:lease:{}", self.ns, key.name())
    }

    /// Runs one command behind the breaker and the timeout.
    async fn guarded<T, F>(&self, op: &'static str, f: F) -> Result<T, L2Down>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let Some(permit) = self.breaker.allow() else {
            return Err(L2Down);
        };
        let out = tokio::time::timeout(self.timeout, f).await;
        let ok = matches!(out, Ok(Ok(_)));
        self.breaker.record(permit, ok);
        self.metrics.breaker_state.set(self.breaker.state() as i64);
        self.metrics
            .breaker_opened
            .set(self.breaker.times_opened() as i64);
        match out {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                self.metrics.redis_error(op);
                tracing::debug!(op, error = %e, "redis command failed");
                Err(L2Down)
            }
            Err(_) => {
                self.metrics.redis_error(op);
                tracing::debug!(op, timeout = ?self.timeout, "redis command timed out");
                Err(L2Down)
            }
        }
    }

    /// The stored value of `key`: none when absent; a value that fails to
    /// decode is logged, counted and reported as absent.
    pub async fn get(&self, key: &Key) -> Result<Option<Stored>, L2Down> {
        let (name, bytes) = self.get_bytes(key).await?;
        Ok(bytes.and_then(|b| match Stored::decode(&b) {
            Ok(stored) => Some(stored),
            Err(e) => {
                self.metrics.decode_errors.inc();
                tracing::warn!(key = %name, error = %e, "undecodable value in Redis, treated as a miss");
                None
            }
        }))
    }

    /// [`L2::get`] for a second look at a key already read once: a value
    /// that fails to decode is absent without being counted again.
    pub async fn get_again(&self, key: &Key) -> Result<Option<Stored>, L2Down> {
        let (_, bytes) = self.get_bytes(key).await?;
        Ok(bytes.and_then(|b| Stored::decode(&b).ok()))
    }

    async fn get_bytes(&self, key: &Key) -> Result<(String, Option<Vec<u8>>), L2Down> {
        let name = self.value_key(key);
        let mut conn = self.conn.clone();
        let bytes = self.guarded("get", conn.get(&name)).await?;
        Ok((name, bytes))
    }

    /// Takes the recompute lease of `key` for `ttl`: its token, or none when
    /// another instance holds it.
    pub async fn try_lease(&self, key: &Key, ttl: Duration) -> Result<Option<String>, L2Down> {
        let token = format!(
            "{:016x}",
            perflab_kit::mix64(self.tokens.fetch_add(1, Ordering::Relaxed))
        );
        let mut conn = self.conn.clone();
        let set: RedisValue = self
            .guarded(
                "lease",
                redis::cmd("SET")
                    .arg(self.lease_key(key))
                    .arg(&token)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut conn),
            )
            .await?;
        Ok((!matches!(set, RedisValue::Nil)).then_some(token))
    }

    /// Whether anyone holds the lease of `key`.
    pub async fn lease_held(&self, key: &Key) -> Result<bool, L2Down> {
        let mut conn = self.conn.clone();
        self.guarded("wait", conn.exists(self.lease_key(key))).await
    }

    /// Stores `stored` under `key` for `ttl` if `token` still holds the
    /// lease; whether it did.
    pub async fn store(
        &self,
        key: &Key,
        token: &str,
        stored: &Stored,
        ttl: Duration,
    ) -> Result<bool, L2Down> {
        let tags = stored.value.tags();
        let mut invocation = self.store.key(self.value_key(key));
        invocation
            .key(self.lease_key(key))
            .arg(token)
            .arg(stored.encode())
            .arg(ttl.as_millis().max(1) as u64)
            .arg(ttl.as_millis().max(1) as u64)
            .arg(key.name());
        for tag in &tags {
            invocation.arg(format!("{}:tag:{}", self.ns, tag.name()));
        }
        let mut conn = self.conn.clone();
        let stored: i64 = self
            .guarded("store", invocation.invoke_async(&mut conn))
            .await?;
        Ok(stored == 1)
    }

    /// Deletes `keys` and every key tagged with one of `tags`, with their
    /// leases, and publishes the invalidation; the keys deleted.
    pub async fn invalidate(
        &self,
        sender: &str,
        keys: &[Key],
        tags: &[Tag],
    ) -> Result<u64, L2Down> {
        let mut invocation = self.invalidate.arg(self.ns.as_ref());
        invocation.arg(self.channel()).arg(sender).arg(keys.len());
        for key in keys {
            invocation.arg(key.name());
        }
        for tag in tags {
            invocation.arg(tag.name());
        }
        let mut conn = self.conn.clone();
        self.guarded("invalidate", invocation.invoke_async(&mut conn))
            .await
    }
}

impl L2 {
    /// Deletes every value of the namespace and tells every instance to
    /// clear L1; the values deleted.
    pub async fn flush(&self, sender: &str) -> Result<u64, L2Down> {
        let mut invocation = self.flush.arg(self.ns.as_ref());
        invocation.arg(self.channel()).arg(sender);
        let mut conn = self.conn.clone();
        self.guarded("invalidate", invocation.invoke_async(&mut conn))
            .await
    }
}

/// What the subscriber hands the cache.
#[derive(Debug)]
pub enum Notice {
    Invalidation(Invalidation),
    /// The subscription dropped: messages may have been missed.
    Disconnected,
}

/// Subscribes to the invalidation channel on a connection of its own
/// (RESP3 pushes) and calls `on_notice` for each message, resubscribing
/// after reconnects, until the returned task is aborted. The receiver
/// hears once, when the first subscription is in place.
pub fn subscribe<F>(
    config: &L2Config,
    channel: String,
    metrics: Arc<CacheMetrics>,
    on_notice: F,
) -> Result<(tokio::task::JoinHandle<()>, oneshot::Receiver<()>), String>
where
    F: Fn(Notice) + Send + Sync + 'static,
{
    let url = resp3(&config.url);
    let client = Client::open(url.as_str()).map_err(|e| format!("REDIS_URL {url}: {e}"))?;
    let timeout = config.timeout;
    let (subscribed, first) = oneshot::channel();
    let task = tokio::spawn(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let config = manager_config(timeout)
            .set_push_sender(tx)
            .set_automatic_resubscription();
        let mut conn = loop {
            match ConnectionManager::new_lazy_with_config(client.clone(), config.clone()) {
                Ok(conn) => break conn,
                Err(e) => {
                    metrics.redis_error("subscribe");
                    tracing::warn!(error = %e, "cannot set up the invalidation subscriber");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        // Until the first subscribe succeeds (Redis may be down at start).
        resubscribe(&mut conn, &channel, &metrics).await;
        // The instance may have stopped waiting: nobody to tell then.
        let _ = subscribed.send(());
        while let Some(push) = rx.recv().await {
            match push.kind {
                PushKind::Message => {
                    if let Some(RedisValue::BulkString(bytes)) = push.data.get(1) {
                        let text = String::from_utf8_lossy(bytes);
                        on_notice(Notice::Invalidation(Invalidation::parse(&text)));
                    }
                }
                PushKind::Disconnection => {
                    on_notice(Notice::Disconnected);
                    // The manager reconnects only when a command asks it
                    // to, and this connection sends none by itself: ask
                    // until Redis answers, then clear once more, since
                    // whatever was published while it was away is lost.
                    resubscribe(&mut conn, &channel, &metrics).await;
                    on_notice(Notice::Disconnected);
                }
                _ => {}
            }
        }
    });
    Ok((task, first))
}

/// Subscribes to `channel`, retrying every 250 ms until Redis answers.
async fn resubscribe(conn: &mut ConnectionManager, channel: &str, metrics: &CacheMetrics) {
    while let Err(e) = conn.subscribe(channel).await {
        metrics.redis_error("subscribe");
        tracing::debug!(error = %e, "subscribing to invalidations, retrying");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidation_messages_parse_and_skip_unknown_lines() {
        let m =
            Invalidation::parse("i abc\nk product:4\nt member:4\nk bogus\nx whatever\nk rank:all");
        assert_eq!(m.sender, "abc");
        assert!(!m.all);
        assert!(Invalidation::parse("i abc\na").all);
        assert_eq!(m.keys, [Key::Product(4), Key::Ranking(None)]);
        assert_eq!(m.tags, [Tag::Member(4)]);
    }

    #[test]
    fn resp3_is_added_once() {
        assert_eq!(resp3("redis://h:1"), "redis://h:1?protocol=resp3");
        assert_eq!(
            resp3("redis://h:1/?db=2"),
            "redis://h:1/?db=2&protocol=resp3"
        );
        assert_eq!(
            resp3("redis://h/?protocol=resp3"),
            "redis://h/?protocol=resp3"
        );
    }
}
