//! Development-only routes, 404 unless ENVIRONMENT=development:
//! - `GET /authsec/dev/outbox?to=<email>`: the mail outbox, so local tests can read codes;
//! - `POST /authsec/dev/legacy-session`: a session stored as releases before session
//!   sharding stored it, so the e2e suite can show such sessions survive the upgrade;
//! - `POST /authsec/dev/webauthn/signature`: one passkey signature vector through this
//!   platform's verifier, so the e2e suite runs tests/vectors/webauthn-signatures.json
//!   through Web Crypto inside workerd exactly as `cargo test` runs it through RustCrypto.

use crate::accounts::sessions::{RefreshToken, Session};
use crate::api::auth::authenticate;
use crate::api::body::json_object;
use crate::api::issue::{random_token, refresh_hash, uuid_like};
use crate::api::{Ctx, Platform};
use crate::b64;
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::accounts::DevOutbox;
use crate::store::state::{SessionShard, SessionStore};
use crate::webauthn::attestation::{certificate_key, check_self_attestation_alg};
use crate::webauthn::{check_signature, CoseAlg, PublicKey, WebauthnError};
use serde_json::{json, Map, Value};

pub async fn outbox<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    if !ctx.config()?.is_development() {
        return Err(ApiError::NotFound);
    }
    let to = req
        .query_param("to")
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::bad_field("to", "to is required"))?;
    let mail =
        ctx.platform.store().mail_for(&to).await.map_err(|e| ApiError::Unavailable(format!("dev outbox: {e}")))?;
    let messages: Vec<_> = mail
        .into_iter()
        .map(|m| json!({"id": m.id, "to": m.recipient, "subject": m.subject, "body": m.body, "created_at": m.created_at}))
        .collect();
    Ok(HttpResponse::json(200, &json!({"messages": messages})))
}

/// `POST /authsec/dev/legacy-session` (J): a new session of the caller as the release
/// before sharding made it: in the tenant's `SessionStore` object, with an
/// `rt1.<tenant>.<secret>` refresh token. → `{session_id, refresh_token}`.
pub async fn legacy_session<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    if !ctx.config()?.is_development() {
        return Err(ApiError::NotFound);
    }
    let caller = authenticate(ctx, req).await?;
    let session = Session::new(uuid_like(ctx)?, caller.user_id.clone(), ctx.now_secs(), "legacy".into());
    let secret = random_token(ctx)?;
    let token = RefreshToken { tenant_id: &caller.tenant_id, user_id: None, secret: &secret };
    let tenant = TenantId::new(&caller.tenant_id);
    let hash = refresh_hash(ctx, &caller.tenant_id, &secret)?;
    ctx.platform.sessions().create_session(SessionShard::Tenant(tenant), &session, &hash).await?;
    Ok(HttpResponse::json(201, &json!({"session_id": session.id, "refresh_token": token.to_string()})))
}

/// `POST /authsec/dev/webauthn/signature` `{alg, key: {cose} | {certificate}, message,
/// signature}` (bytes as base64url) → `{verdict: "valid" | "invalid" | "refused", reason}`.
///
/// The key and `alg` are read as a "packed" attestation statement's are (WebAuthn §8.2):
/// a COSE credential key must be of `alg` (self attestation), a DER certificate must
/// meet §8.2.1 and suit `alg`. The signature is then checked as every ceremony checks
/// one. "refused" means the key or algorithm was refused before any signature work.
pub async fn passkey_signature<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    if !ctx.config()?.is_development() {
        return Err(ApiError::NotFound);
    }
    let body = json_object(req)?;
    let alg = body.get("alg").and_then(Value::as_i64).ok_or_else(|| ApiError::bad_field("alg", "alg is required"))?;
    let alg = CoseAlg::from_id(i128::from(alg));
    let key =
        body.get("key").and_then(Value::as_object).ok_or_else(|| ApiError::bad_field("key", "key is required"))?;
    let (message, signature) = (base64url(&body, "message")?, base64url(&body, "signature")?);
    let key = if key.contains_key("cose") {
        PublicKey::from_cose(&base64url(key, "cose")?)
            .and_then(|key| check_self_attestation_alg(&key, alg).map(|()| key))
    } else if key.contains_key("certificate") {
        certificate_key(&base64url(key, "certificate")?, alg, &[0; 16])
    } else {
        return Err(ApiError::bad_field("key", "key needs cose or certificate"));
    };
    let verified = match key {
        Ok(key) => check_signature(ctx.platform.crypto(), &key, &message, &signature).await,
        Err(refused) => Err(refused),
    };
    let (verdict, reason) = match verified {
        Ok(()) => ("valid", None),
        Err(WebauthnError::SignatureInvalid) => ("invalid", None),
        Err(failed @ WebauthnError::Backend(_)) => return Err(failed.into()),
        Err(refused) => ("refused", Some(refused.to_string())),
    };
    Ok(HttpResponse::json(200, &json!({"verdict": verdict, "reason": reason})))
}

fn base64url(body: &Map<String, Value>, field: &str) -> Result<Vec<u8>, ApiError> {
    body.get(field)
        .and_then(Value::as_str)
        .and_then(b64::decode)
        .ok_or_else(|| ApiError::bad_field(field, format!("{field} must be base64url")))
}
