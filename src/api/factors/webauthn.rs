//! Passkeys (api.md "MFA", Passkeys): registration from a signed-in session, and
//! sign-in by a verified assertion, with or without an email (discoverable credentials),
//! or as the second step of a password login (`mfa_token`). The session is issued only
//! from a verified assertion; no client-supplied flag is trusted.
//!
//! Challenges are 32 random bytes held as single-use tickets for 5 minutes in the
//! ChallengeStore Durable Object, keyed by a keyed hash of the challenge, and bound to
//! the ceremony, the audience (admin or end user), and the tenant and user they are for.
//! User verification is required: a passkey alone is a whole sign-in.

use super::mfa::{self, finished_body};
use super::notices;
use super::step_up::{self, Inline};
use crate::api::auth::{authenticated_user, client_ip, rate_limit, require_named_client_of, Caller};
use crate::api::body::{json_object, optional_text};
use crate::api::clients::resolve_client;
use crate::api::issue::{random_bytes, start_session};
use crate::api::Who;
use crate::api::{Ctx, Platform};
use crate::b64;
use crate::error::{conflict_as, ApiError};
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, User, UserKind};
use crate::store::mfa::{MfaStore, Passkey};
use crate::store::state::ChallengeStore;
use crate::webauthn::assertion::{verify_assertion, AssertionCheck};
use crate::webauthn::options::{creation_options, request_options, CreationOptionsParams};
use crate::webauthn::registration::{verify_registration, RegistrationCheck};
use crate::webauthn::response::{parse_assertion_response, parse_registration_response};
use crate::webauthn::AttestationKind;
use serde_json::{json, Map, Value};

const CHALLENGE_TTL_SECS: i64 = 300;
const MAX_PASSKEYS: usize = 20;
/// Sign-in ceremonies begun per client IP per minute.
const BEGIN_PER_MINUTE: u32 = 30;

fn kind_of(who: Who) -> UserKind {
    match who {
        Who::Admin => UserKind::Admin,
        Who::Enduser => UserKind::Enduser,
    }
}

fn who_label(who: Who) -> &'static str {
    match who {
        Who::Admin => "admin",
        Who::Enduser => "enduser",
    }
}

/// Whom a sign-in ceremony is for: an account of one kind (the `admin` and `enduser`
/// routes), or any account of one tenant (the OAuth provider's sign-in page, where the
/// client names the tenant).
#[derive(Debug, Clone, Copy)]
enum Signer<'a> {
    Kind(Who),
    Tenant(&'a str),
}

impl Signer<'_> {
    fn label(self) -> &'static str {
        match self {
            Signer::Kind(who) => who_label(who),
            Signer::Tenant(_) => "oauth",
        }
    }

    fn admits(self, user: &User) -> bool {
        match self {
            Signer::Kind(who) => user.kind == kind_of(who),
            Signer::Tenant(tenant_id) => user.tenant_id == tenant_id,
        }
    }
}

fn ticket_key<P: Platform>(ctx: &Ctx<'_, P>, challenge_b64: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["webauthn-challenge", challenge_b64]))
}

/// Issues a challenge bound to `binding` (what the finishing request must match).
async fn new_challenge<P: Platform>(ctx: &Ctx<'_, P>, mut binding: Value) -> Result<Vec<u8>, ApiError> {
    let challenge = random_bytes(ctx, 32)?;
    binding["challenge"] = json!(b64::encode(&challenge));
    let key = ticket_key(ctx, &b64::encode(&challenge))?;
    ctx.platform.challenges().put_ticket(&key, &binding, ctx.now_secs() + CHALLENGE_TTL_SECS).await?;
    Ok(challenge)
}

/// Spends the challenge a response's clientDataJSON names. The JSON is untrusted here:
/// it only locates the ticket; verification compares the challenge again.
async fn take_challenge<P: Platform>(
    ctx: &Ctx<'_, P>,
    client_data_json: &[u8],
    ceremony: &str,
    label: &str,
) -> Result<(Vec<u8>, Value), ApiError> {
    let unknown = || ApiError::CeremonyFailed("the challenge is unknown, used or expired".into());
    let client_data: Value = serde_json::from_slice(client_data_json)
        .map_err(|_| ApiError::bad_field("credential", "clientDataJSON is not JSON"))?;
    let challenge_b64 = client_data["challenge"].as_str().filter(|c| c.len() <= 128).ok_or_else(unknown)?;
    let key = ticket_key(ctx, challenge_b64)?;
    let binding = ctx.platform.challenges().take_ticket(&key, ctx.now_secs()).await?.ok_or_else(unknown)?;
    if binding["ceremony"] != ceremony || binding["who"] != label {
        return Err(unknown());
    }
    let challenge = binding["challenge"].as_str().and_then(b64::decode).ok_or_else(unknown)?;
    Ok((challenge, binding))
}

/// The signed-in caller of a registration route, of the route's kind of account.
pub(super) async fn registrant<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
) -> Result<(Caller, User, Map<String, Value>), ApiError> {
    let (claims, user) = authenticated_user(ctx, req).await?;
    let body = json_object(req)?;
    require_named_client_of(ctx, &body, &claims.tenant_id).await?;
    if user.kind != kind_of(who) {
        return Err(ApiError::Forbidden(format!("this route registers passkeys of {} accounts", who_label(who))));
    }
    if let Some(email) = body.get("email").and_then(Value::as_str).filter(|e| !e.is_empty()) {
        if !email.trim().eq_ignore_ascii_case(&user.email) {
            return Err(ApiError::Forbidden("a passkey can only be registered for the signed-in account".into()));
        }
    }
    Ok((claims, user, body))
}

fn credential_ids(passkeys: &[Passkey]) -> Vec<Vec<u8>> {
    passkeys.iter().filter_map(|p| b64::decode(&p.id)).collect()
}

/// `POST webauthn/{admin,enduser}/beginRegistration` (J).
pub async fn begin_registration<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
) -> Result<HttpResponse, ApiError> {
    let (caller, user, body) = registrant(ctx, req, who).await?;
    let existing = ctx.platform.store().passkeys(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
    if existing.len() >= MAX_PASSKEYS {
        return Err(ApiError::Conflict(format!("at most {MAX_PASSKEYS} passkeys per account")));
    }
    // Ours: adding a factor needs fresh proof (a stolen token alone cannot plant one).
    let step_up_token = step_up::require(ctx, req, &caller, &user, &body, Inline::CodeOrPassword).await?;
    let binding = json!({"ceremony": "create", "who": who_label(who), "tenant_id": user.tenant_id, "user_id": user.id});
    let challenge = new_challenge(ctx, binding).await?;
    let rp = &ctx.config()?.relying_party;
    let display_name = if user.name.is_empty() { user.email.as_str() } else { user.name.as_str() };
    let options = creation_options(&CreationOptionsParams {
        rp_id: &rp.id,
        rp_name: &rp.name,
        user_id: user.id.as_bytes(),
        user_name: &user.email,
        display_name,
        challenge: &challenge,
        exclude_credential_ids: &credential_ids(&existing),
        require_resident_key: true,
        user_verification: "required",
    });
    Ok(HttpResponse::json(200, &json!({"publicKey": options, "step_up_token": step_up_token})))
}

/// `POST webauthn/{admin,enduser}/finishRegistration` (J) `{credential, name?}`.
pub async fn finish_registration<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
) -> Result<HttpResponse, ApiError> {
    let (caller, user, body) = registrant(ctx, req, who).await?;
    let credential =
        body.get("credential").ok_or_else(|| ApiError::bad_field("credential", "credential is required"))?;
    let response =
        parse_registration_response(credential).map_err(|e| ApiError::bad_field("credential", e.to_string()))?;
    let name = match optional_text(&body, "name", 100)? {
        n if n.is_empty() => "Passkey".to_string(),
        n => n,
    };
    step_up::require(ctx, req, &caller, &user, &body, Inline::CodeOrPassword).await?;
    let (challenge, binding) = take_challenge(ctx, &response.client_data_json, "create", who_label(who)).await?;
    if binding["tenant_id"] != user.tenant_id.as_str() || binding["user_id"] != user.id.as_str() {
        return Err(ApiError::CeremonyFailed("the challenge was issued to another account".into()));
    }
    let rp = &ctx.config()?.relying_party;
    let check = RegistrationCheck {
        client_data_json: &response.client_data_json,
        attestation_object: &response.attestation_object,
        expected_challenge: &challenge,
        allowed_origins: &rp.origins,
        rp_id: &rp.id,
        require_user_verification: true,
    };
    let verified = verify_registration(&check, ctx.platform.crypto()).await?;
    if verified.credential_id != response.credential_id {
        return Err(ApiError::CeremonyFailed("the credential id differs from the attested one".into()));
    }
    let attestation = match verified.attestation {
        AttestationKind::None => "none",
        AttestationKind::SelfAttestation => "self",
        AttestationKind::Basic { .. } => "basic",
    };
    let passkey = Passkey {
        id: b64::encode(&verified.credential_id),
        tenant_id: user.tenant_id.clone(),
        user_id: user.id.clone(),
        name,
        public_key_cose: b64::encode(&verified.public_key_cose),
        alg: verified.alg,
        sign_count: i64::from(verified.sign_count),
        flagged: false,
        aaguid: verified.aaguid.iter().map(|b| format!("{b:02x}")).collect(),
        attestation: format!("{}:{attestation}", verified.attestation_format.as_str()),
        backup_eligible: verified.backup_eligible,
        created_at: ctx.now_secs(),
        last_used_at: None,
    };
    ctx.platform.store().add_passkey(&passkey).await.map_err(conflict_as("this passkey is already registered"))?;
    notices::factor_changed(ctx, &user, notices::Change::Added, &format!("the passkey \"{}\"", passkey.name)).await;
    Ok(HttpResponse::json(201, &json!({"success": true, "credential_id": passkey.id, "message": "passkey registered"})))
}

/// The account a sign-in names by `mfa_token` or `email` (with `client_id` for end
/// users); `None` for a discoverable sign-in. Also the tenant the ceremony is bound to.
async fn named_account<P: Platform>(
    ctx: &Ctx<'_, P>,
    body: &Map<String, Value>,
    who: Who,
) -> Result<(Option<String>, Option<User>), ApiError> {
    if let Some(token) = body.get("mfa_token").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        let user = mfa::mfa_token_user(ctx, token, false).await?;
        if user.kind != kind_of(who) {
            return Err(ApiError::InvalidGrant("the mfa_token is for another kind of account".into()));
        }
        return Ok((Some(user.tenant_id.clone()), Some(user)));
    }
    let tenant_id = match who {
        Who::Enduser => Some(resolve_client(ctx, body).await?.tenant_id),
        Who::Admin => None,
    };
    let email = body.get("email").and_then(Value::as_str).map(str::trim).filter(|e| !e.is_empty());
    let Some(email) = email else {
        return Ok((tenant_id, None));
    };
    let email = crate::api::validate::email("email", email)?;
    let store = ctx.platform.store();
    let user = match &tenant_id {
        Some(tenant_id) => store.user_by_email(TenantId::new(tenant_id), &email).await?,
        None => store.admin_by_email(&email).await?,
    };
    let user = user.filter(|u| u.kind == kind_of(who) && u.is_active());
    Ok((tenant_id.or_else(|| user.as_ref().map(|u| u.tenant_id.clone())), user))
}

/// `POST webauthn/{admin,enduser}/beginAuthentication` (P) `{email?, client_id?, mfa_token?}`.
pub async fn begin_authentication<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("webauthn-begin:ip:{}", client_ip(req)), BEGIN_PER_MINUTE, 60).await?;
    let body = if req.body.is_empty() { Map::new() } else { json_object(req)? };
    let (tenant_id, user) = named_account(ctx, &body, who).await?;
    let allowed = match &user {
        Some(user) => {
            let passkeys = ctx.platform.store().passkeys(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
            credential_ids(&passkeys.into_iter().filter(|p| !p.flagged).collect::<Vec<_>>())
        }
        None => Vec::new(),
    };
    let binding = json!({
        "ceremony": "get",
        "who": who_label(who),
        "tenant_id": tenant_id,
        "user_id": user.as_ref().map(|u| u.id.clone()),
    });
    let challenge = new_challenge(ctx, binding).await?;
    let rp = &ctx.config()?.relying_party;
    Ok(HttpResponse::json(200, &json!({"publicKey": request_options(&rp.id, &challenge, &allowed, "required")})))
}

/// Verifies a passkey assertion for a challenge of this deployment (single use, bound to
/// the audience and, if it names them, the tenant and user): the account whose passkey
/// signed it. Records the use, and flags a passkey whose counter went backwards.
async fn verified_assertion<P: Platform>(ctx: &Ctx<'_, P>, credential: &Value, who: Who) -> Result<User, ApiError> {
    Ok(verified_assertion_of(ctx, credential, Signer::Kind(who)).await?.0)
}

/// `verified_assertion` for any `Signer`, with the passkey that signed.
async fn verified_assertion_of<P: Platform>(
    ctx: &Ctx<'_, P>,
    credential: &Value,
    signer: Signer<'_>,
) -> Result<(User, Passkey), ApiError> {
    let response =
        parse_assertion_response(credential).map_err(|e| ApiError::bad_field("credential", e.to_string()))?;
    let (challenge, binding) = take_challenge(ctx, &response.client_data_json, "get", signer.label()).await?;
    let refused = |why: &str| ApiError::CeremonyFailed(why.to_string());
    let store = ctx.platform.store();
    let passkey = store.passkey_by_id(&b64::encode(&response.credential_id)).await?;
    let passkey = passkey.ok_or_else(|| refused("this passkey is not registered"))?;
    let bound_to = |field: &str, value: &str| binding[field].as_str().is_none_or(|bound| bound == value);
    if !bound_to("tenant_id", &passkey.tenant_id) || !bound_to("user_id", &passkey.user_id) {
        return Err(refused("this passkey is not one the challenge allows"));
    }
    if response.user_handle.as_ref().is_some_and(|handle| handle != passkey.user_id.as_bytes()) {
        return Err(refused("the user handle does not match the passkey's account"));
    }
    if passkey.flagged {
        return Err(refused("this passkey was flagged as possibly cloned; register a new one"));
    }
    let user = store.user_by_id(TenantId::new(&passkey.tenant_id), UserId::new(&passkey.user_id)).await?;
    let user = user.filter(|u| u.is_active() && signer.admits(u)).ok_or_else(|| refused("no such account"))?;
    let rp = &ctx.config()?.relying_party;
    let public_key = b64::decode(&passkey.public_key_cose).ok_or_else(|| ApiError::Internal("stored key".into()))?;
    let check = AssertionCheck {
        client_data_json: &response.client_data_json,
        authenticator_data: &response.authenticator_data,
        signature: &response.signature,
        expected_challenge: &challenge,
        allowed_origins: &rp.origins,
        rp_id: &rp.id,
        require_user_verification: true,
        public_key_cose: &public_key,
        stored_sign_count: u32::try_from(passkey.sign_count).unwrap_or(0),
    };
    let outcome = verify_assertion(&check, ctx.platform.crypto()).await?;
    let now = ctx.now_secs();
    store
        .record_passkey_use(
            TenantId::new(&user.tenant_id),
            &passkey.id,
            i64::from(outcome.new_sign_count),
            outcome.counter_regressed,
            now,
        )
        .await?;
    if outcome.counter_regressed {
        return Err(refused("the signature counter went backwards; the passkey is flagged as possibly cloned"));
    }
    Ok((user, passkey))
}

/// `POST webauthn/{admin,enduser}/finishAuthentication` (P) `{credential, mfa_token?}`.
pub async fn finish_authentication<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let credential =
        body.get("credential").ok_or_else(|| ApiError::bad_field("credential", "credential is required"))?;
    let user = verified_assertion(ctx, credential, who).await?;
    if let Some(token) = body.get("mfa_token").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        let waiting = mfa::mfa_token_user(ctx, token, true).await?;
        if waiting.id != user.id || waiting.tenant_id != user.tenant_id {
            return Err(ApiError::CeremonyFailed(
                "the passkey belongs to another account than the password login".into(),
            ));
        }
    }
    let issued = start_session(ctx, &user, req.header("user-agent").unwrap_or("")).await?;
    Ok(HttpResponse::json(200, &finished_body(&user, &issued, "signed in with a passkey")))
}

fn who_of(user: &User) -> Who {
    match user.kind {
        UserKind::Admin => Who::Admin,
        UserKind::Enduser => Who::Enduser,
    }
}

/// Request options for a step-up by passkey: one of `user`'s own usable passkeys.
pub(super) async fn step_up_options<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<Value, ApiError> {
    let passkeys = ctx.platform.store().passkeys(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
    let usable: Vec<Passkey> = passkeys.into_iter().filter(|p| !p.flagged).collect();
    if usable.is_empty() {
        return Err(ApiError::bad_request("this account has no usable passkey"));
    }
    let binding = json!({"ceremony": "get", "who": who_label(who_of(user)), "tenant_id": user.tenant_id,
                         "user_id": user.id, "purpose": "step-up"});
    let challenge = new_challenge(ctx, binding).await?;
    let rp = &ctx.config()?.relying_party;
    Ok(request_options(&rp.id, &challenge, &credential_ids(&usable), "required"))
}

/// A passkey assertion as fresh proof by `user` (a step-up): it must be `user`'s passkey.
pub(super) async fn verify_step_up_assertion<P: Platform>(
    ctx: &Ctx<'_, P>,
    credential: &Value,
    user: &User,
) -> Result<(), ApiError> {
    let signer = verified_assertion(ctx, credential, who_of(user)).await?;
    if signer.id != user.id || signer.tenant_id != user.tenant_id {
        return Err(ApiError::CeremonyFailed("the passkey belongs to another account".into()));
    }
    Ok(())
}

/// Request options for the OAuth provider's sign-in page: any passkey of `tenant_id`
/// (discoverable), or only `user`'s when a password step already named them.
pub async fn tenant_sign_in_options<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    user: Option<&User>,
) -> Result<Value, ApiError> {
    rate_limit(ctx, &format!("webauthn-begin:ip:{}", client_ip(req)), BEGIN_PER_MINUTE, 60).await?;
    let allowed = match user {
        Some(user) => {
            let passkeys = ctx.platform.store().passkeys(TenantId::new(tenant_id), UserId::new(&user.id)).await?;
            credential_ids(&passkeys.into_iter().filter(|p| !p.flagged).collect::<Vec<_>>())
        }
        None => Vec::new(),
    };
    let binding = json!({"ceremony": "get", "who": Signer::Tenant(tenant_id).label(), "tenant_id": tenant_id,
                         "user_id": user.map(|u| u.id.clone())});
    let challenge = new_challenge(ctx, binding).await?;
    let rp = &ctx.config()?.relying_party;
    Ok(request_options(&rp.id, &challenge, &allowed, "required"))
}

/// Verifies an assertion for `tenant_sign_in_options`: the account, and whether the
/// passkey may be synced (backup eligible), which the id_token's `amr` tells apart.
pub async fn verify_tenant_sign_in<P: Platform>(
    ctx: &Ctx<'_, P>,
    credential: &Value,
    tenant_id: &str,
) -> Result<(User, bool), ApiError> {
    let (user, passkey) = verified_assertion_of(ctx, credential, Signer::Tenant(tenant_id)).await?;
    Ok((user, passkey.backup_eligible))
}
