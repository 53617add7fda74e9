//! One attempt: build the request (token, headers, idempotency key), run it against the per-attempt timeout,
//! classify what came back, and ask the retry policy what a failure means for the call.

use super::call::Call;
use super::url::{encode_component, uuid_v4};
use super::{CallOptions, Client, TOKEN_PLACEHOLDER};
use crate::error::{Error, ErrorKind};
use crate::headers;
use crate::log::LogEntry;
use crate::retry::{Decision, Failure};
use crate::runtime::{HttpRequest, HttpResponse, Payload, Runtime, TransportError};
use crate::secret::Secret;
use futures_util::future::{select, Either};
use std::borrow::Cow;

/// What the transport did within the attempt's time.
pub(super) enum Attempted<B> {
    Response(HttpResponse, Payload<B>),
    Network(String),
    Timeout,
}

/// An attempt, classified.
pub(super) enum Outcome<B> {
    /// 2xx with a JSON object (or empty) body, parsed.
    Success(HttpResponse, B),
    /// 2xx with a body that is not a JSON object (truncated, an HTML page): final.
    Undecodable(Error),
    /// 401: the device token is not (or no longer) valid.
    Unauthorized(Failed),
    /// Any other failure.
    Failed(Failed),
}

/// Where a call stands.
pub(super) struct Progress {
    /// Attempts started (1 for the first).
    pub(super) attempt: u32,
    /// Retries made.
    pub(super) retries: u32,
    /// The token was renewed after a 401 (once per call).
    pub(super) renewed: bool,
    /// When the whole call times out (`totalTimeoutMs`).
    pub(super) deadline: f64,
    /// The call carries an idempotency key.
    pub(super) idempotent: bool,
}

pub(super) struct Failed {
    failure: Failure,
    pub(super) error: Error,
    retry_after: Option<u64>,
}

impl<B> Outcome<B> {
    /// Whether the attempt counts as a failure for the circuit breaker: no response, or a 5xx.
    pub(super) fn breaker_failure(&self) -> bool {
        match self {
            Outcome::Success(..) | Outcome::Undecodable(_) => false,
            Outcome::Unauthorized(f) | Outcome::Failed(f) => match f.failure {
                Failure::Network | Failure::Timeout => true,
                Failure::Status(s) => s >= 500,
            },
        }
    }
}

impl<R: Runtime> Client<R> {
    /// The idempotency key of a write when the header is on: the caller's, or a fresh UUID.
    pub(super) fn idempotency_key(
        &self,
        call: &Call,
        opts: &CallOptions,
    ) -> Result<Option<String>, Error> {
        if self.inner.cfg.idempotency_header.is_none() || !call.method.is_write() {
            return Ok(None);
        }
        if let Some(k) = &opts.idempotency_key {
            return Ok(Some(k.clone()));
        }
        let mut b = [0u8; 16];
        self.inner.rt.fill_random(&mut b)?;
        Ok(Some(uuid_v4(b)))
    }

    /// The HTTP request of one attempt. The token goes into the path placeholder, and (with `auth`) into
    /// `Authorization`.
    pub(super) fn build_request(
        &self,
        call: &Call,
        body: &Option<String>,
        token: Option<&Secret>,
        auth: bool,
        correlation: &str,
        idempotency_key: Option<&str>,
    ) -> HttpRequest {
        let cfg = &self.inner.cfg;
        let path = match token {
            Some(t) if call.path.contains(TOKEN_PLACEHOLDER) => call
                .path
                .replace(TOKEN_PLACEHOLDER, &encode_component(t.expose(), b"")),
            _ => call.path.clone(),
        };
        let url = if call.query.is_empty() {
            format!("{}{path}", cfg.base_url)
        } else {
            format!("{}{path}?{}", cfg.base_url, call.query)
        };
        let mut headers: Vec<(Cow<'static, str>, String)> =
            vec![("Accept".into(), "application/json".into())];
        if let (true, Some(t)) = (auth, token) {
            headers.push(("Authorization".into(), format!("Bearer {}", t.expose())));
        }
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(l) = &cfg.accept_language {
            headers.push(("Accept-Language".into(), l.clone()));
        }
        if let Some(h) = &cfg.correlation_header {
            headers.push((Cow::Owned(h.clone()), correlation.to_string()));
        }
        if let (Some(h), Some(k)) = (&cfg.idempotency_header, idempotency_key) {
            headers.push((Cow::Owned(h.clone()), k.to_string()));
        }
        HttpRequest {
            method: call.method,
            url,
            headers,
            body: body.clone(),
        }
    }

    /// Sends `req`, racing the per-attempt timeout. Returns what happened and how long it took.
    pub(super) async fn run(&self, req: HttpRequest, timeout_ms: u64) -> (Attempted<R::Body>, f64) {
        let rt = &self.inner.rt;
        self.inner.stats.borrow_mut().network_requests += 1;
        let t0 = rt.now_ms();
        let result = match select(rt.fetch(req), rt.sleep(timeout_ms)).await {
            Either::Left((Ok((r, body)), _)) => Attempted::Response(r, body),
            Either::Left((Err(TransportError::Network(m)), _)) => Attempted::Network(m),
            Either::Right(_) => Attempted::Timeout,
        };
        (result, rt.now_ms() - t0)
    }

    /// Classifies an attempt, recording the response on its log entry and reading the server's hints.
    pub(super) fn classify(
        &self,
        call: &Call,
        attempted: Attempted<R::Body>,
        timeout_ms: u64,
        now: f64,
        entry: &mut LogEntry,
    ) -> Outcome<R::Body> {
        let (resp, body) = match attempted {
            Attempted::Response(resp, body) => (resp, body),
            Attempted::Network(m) => {
                let m: String = m.chars().filter(|c| !c.is_control()).take(200).collect();
                return Outcome::Failed(Failed {
                    failure: Failure::Network,
                    error: Error::new(ErrorKind::Network, format!("no response: {m}")),
                    retry_after: None,
                });
            }
            Attempted::Timeout => {
                return Outcome::Failed(Failed {
                    failure: Failure::Timeout,
                    error: Error::new(
                        ErrorKind::Timeout,
                        format!("attempt timed out after {timeout_ms} ms"),
                    ),
                    retry_after: None,
                })
            }
        };
        Self::note_response(entry, &resp);
        self.note_lifecycle(call, &resp);
        self.note_rate_limit(call, &resp, now);
        let status = resp.status;
        let ok = (200..300).contains(&status);
        let text = match body {
            Payload::Parsed(body) if ok => return Outcome::Success(resp, body),
            _ if ok => {
                return Outcome::Undecodable(Error::new(
                    ErrorKind::Decode,
                    format!("HTTP {status} with a body that is not a JSON object"),
                ))
            }
            Payload::Text(text) => text,
            Payload::Parsed(_) | Payload::Malformed => String::new(),
        };
        let retry_after = resp
            .header("retry-after")
            .and_then(|v| headers::retry_after_ms(v, now));
        self.note_refusal(call, status, retry_after);
        let failed = Failed {
            failure: Failure::Status(status),
            error: Error::from_response(status, &text, entry.request_id.clone()),
            retry_after,
        };
        if status == 401 {
            Outcome::Unauthorized(failed)
        } else {
            Outcome::Failed(failed)
        }
    }

    /// The retry policy's verdict on a failed attempt, logged: `Ok(delay)` to try again after `delay` ms (within
    /// the call's deadline), or the call's error.
    pub(super) fn retry_or_fail(
        &self,
        call: &Call,
        failed: Failed,
        progress: &Progress,
        mut entry: LogEntry,
    ) -> Result<u64, Error> {
        let (attempt, deadline) = (progress.attempt, progress.deadline);
        let decision = self.inner.policy.decide(
            progress.retries,
            failed.failure,
            call.method.is_write(),
            progress.idempotent,
            failed.retry_after,
            self.inner.rt.random_unit(),
        );
        let error = failed.error;
        match decision {
            Decision::Retry(delay) if self.inner.rt.now_ms() + (delay as f64) < deadline => {
                self.note_failure(&mut entry, "retry", &error);
                self.log(entry);
                Ok(delay)
            }
            Decision::Retry(_) => {
                self.note_failure(&mut entry, "error", &error);
                self.log(entry);
                Err(error.with_attempts(attempt))
            }
            Decision::GiveUp { outcome_unknown } => {
                self.note_failure(&mut entry, "error", &error);
                self.log(entry);
                let e = error.with_attempts(attempt);
                Err(if outcome_unknown {
                    e.with_outcome_unknown()
                } else {
                    e
                })
            }
        }
    }
}
