//! Discovery and keys: `/.well-known/jwks.json`, `/.well-known/openid-configuration`,
//! `/.well-known/oauth-authorization-server`.
//!
//! Both documents derive from configuration. They are served from isolate memory,
//! backed by KV, and rebuilt when absent or when the key ring's fingerprint changed
//! (a rotation), so every region serves them without touching an origin.

use crate::api::{Ctx, Platform};
use crate::config::Config;
use crate::error::ApiError;
use crate::http::HttpResponse;
use crate::store::{DocumentCache, SigningKeyStore, KV_MIN_TTL_SECS};
use crate::tokens::jwt::ALG_ES256;
use serde_json::json;

pub async fn jwks<P: Platform>(ctx: &Ctx<'_, P>) -> Result<HttpResponse, ApiError> {
    let config = ctx.config()?;
    let document = cached_document(ctx, "jwks", config, || {
        let keys: Vec<_> = config.keys.public_keys().map(|k| k.to_jwk()).collect();
        json!({ "keys": keys }).to_string()
    })
    .await;
    Ok(public_document(document, config))
}

pub async fn openid_configuration<P: Platform>(ctx: &Ctx<'_, P>) -> Result<HttpResponse, ApiError> {
    let config = ctx.config()?;
    let document = cached_document(ctx, "openid-configuration", config, || discovery(config).to_string()).await;
    Ok(public_document(document, config))
}

pub async fn oauth_server_metadata<P: Platform>(ctx: &Ctx<'_, P>) -> Result<HttpResponse, ApiError> {
    let config = ctx.config()?;
    let document = cached_document(ctx, "oauth-authorization-server", config, || discovery(config).to_string()).await;
    Ok(public_document(document, config))
}

/// Only what this deployment actually serves is advertised; the document grows as
/// capabilities land (api.md "Foundation routes"). One document answers both paths:
/// OpenID Connect Discovery 1.0 and RFC 8414 share their field names.
pub(crate) fn discovery(config: &Config) -> serde_json::Value {
    use crate::oauth::{id_token, scopes};
    let issuer = &config.issuer;
    let at = |path: &str| format!("{issuer}{path}");
    let client_auth = ["none", "client_secret_post", "client_secret_basic", "private_key_jwt"];
    json!({
        "issuer": issuer,
        "jwks_uri": at("/.well-known/jwks.json"),
        "authorization_endpoint": at("/authsec/oauth/authorize"),
        "token_endpoint": at("/authsec/oauth/token"),
        "userinfo_endpoint": at("/authsec/oauth/userinfo"),
        "introspection_endpoint": at("/authsec/oauth/introspect"),
        "revocation_endpoint": at("/authsec/oauth/revoke"),
        "end_session_endpoint": at("/authsec/oauth/logout"),
        "pushed_authorization_request_endpoint": at("/authsec/oauth/par"),
        "registration_endpoint": at("/authsec/oauth/register"),
        "require_pushed_authorization_requests": false,
        "device_authorization_endpoint": at("/authsec/uflow/auth/device/code"),
        "backchannel_authentication_endpoint": at("/authsec/uflow/auth/ciba/initiate"),
        "backchannel_token_delivery_modes_supported": ["poll"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": [
            crate::oauth::AUTHORIZATION_CODE_GRANT,
            crate::oauth::REFRESH_TOKEN_GRANT,
            crate::oauth::CLIENT_CREDENTIALS_GRANT,
            "urn:ietf:params:oauth:grant-type:token-exchange",
            crate::api::grants::DEVICE_CODE_GRANT,
            crate::api::grants::CIBA_GRANT
        ],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": client_auth,
        "token_endpoint_auth_signing_alg_values_supported": [ALG_ES256],
        "dpop_signing_alg_values_supported": crate::api::dpop::DPOP_ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": client_auth,
        "revocation_endpoint_auth_methods_supported": client_auth,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALG_ES256],
        "scopes_supported": scopes::STANDARD,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "acr_values_supported": [id_token::ACR_SINGLE, id_token::ACR_MFA],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "auth_time", "nonce", "at_hash", "sid", "amr",
            "acr", "azp", "name", "preferred_username", "email", "email_verified", "user_id", "tenant_id",
            "project_id", "client_id", "email_id", "token_type", "scope", "roles", "groups"
        ],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "ui_locales_supported": crate::i18n::Locale::ALL.iter().map(|l| l.tag()).collect::<Vec<_>>(),
        "authsec_token_verify_endpoint": at("/authsec/authmgr/token/verify"),
    })
}

/// Part of the documents' KV key: bumped when a release changes what discovery says, so
/// a deploy never serves the previous release's document from KV.
const DOCUMENT_REVISION: &str = "r3";

fn public_document(body: String, config: &Config) -> HttpResponse {
    HttpResponse::text(200, "application/json; charset=utf-8", body)
        .with_header("cache-control", &format!("public, max-age={}", config.jwks_max_age_secs))
        .with_header("access-control-allow-origin", "*")
}

/// Memory, then KV, then `build`. A KV failure degrades to building (and is logged):
/// keys must stay verifiable when the cache is down.
async fn cached_document<P: Platform>(
    ctx: &Ctx<'_, P>,
    name: &str,
    config: &Config,
    build: impl FnOnce() -> String,
) -> String {
    let fingerprint = config.keys.fingerprint();
    if let Some((fp, document, expires_at)) = ctx.isolate.documents.borrow().get(name) {
        if fp == fingerprint && ctx.now_ms < *expires_at {
            return document.clone();
        }
    }
    let kv_key = format!("doc:{name}:{DOCUMENT_REVISION}:{fingerprint}");
    let ttl = config.jwks_max_age_secs.max(KV_MIN_TTL_SECS);
    let cached = match ctx.platform.cache().get_document(&kv_key).await {
        Ok(found) => found,
        Err(e) => {
            ctx.warn(format!("KV read of {kv_key} failed: {e}"));
            None
        }
    };
    let document = match cached {
        Some(document) => document,
        None => {
            let document = build();
            if let Err(e) = ctx.platform.cache().put_document(&kv_key, &document, ttl).await {
                ctx.warn(format!("KV write of {kv_key} failed: {e}"));
            }
            if name == "jwks" {
                record_key_metadata(ctx, config).await;
            }
            document
        }
    };
    ctx.isolate.documents.borrow_mut().insert(
        name.to_string(),
        (
            fingerprint.to_string(),
            document.clone(),
            ctx.now_ms.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX).saturating_mul(1000)),
        ),
    );
    document
}

/// Notes in the relational store when each key was first published and first signed.
/// Best effort: a failure is logged and the JWKS is served regardless.
async fn record_key_metadata<P: Platform>(ctx: &Ctx<'_, P>, config: &Config) {
    let store = ctx.platform.store();
    let now = ctx.now_secs();
    for key in config.keys.public_keys() {
        let jwk = key.to_jwk().to_string();
        if let Err(e) = store.record_published(&key.kid, ALG_ES256, &jwk, now).await {
            ctx.warn(format!("recording key {} failed: {e}", key.kid));
            return;
        }
    }
    if let Err(e) = store.record_signer(config.keys.signer().kid(), now).await {
        ctx.warn(format!("recording the signer failed: {e}"));
    }
}
