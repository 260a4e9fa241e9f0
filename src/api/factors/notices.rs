//! Telling users about their second factors (ours, api.md "Factors, delegated tokens,
//! step-up"): a mail whenever one is added or removed, and the list of enrolled factors
//! that the password-reset mail carries, so that a factor planted by someone else is
//! seen and can be removed.

use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::ids::{TenantId, UserId};
use crate::store::accounts::User;
use crate::store::mfa::MfaStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    /// New backup codes replaced the old ones.
    Replaced,
}

/// Mails `user` that a factor changed. The change already stands: a mail that cannot be
/// sent is logged, never turned into an error after the write.
pub async fn factor_changed<P: Platform>(ctx: &Ctx<'_, P>, user: &User, change: Change, what: &str) {
    let (subject, verb) = match change {
        Change::Added => ("A second factor was added to your account", "added"),
        Change::Removed => ("A second factor was removed from your account", "removed"),
        Change::Replaced => ("New backup codes were made for your account", "replaced"),
    };
    let text = format!(
        "On your AuthSec account {email}, {what} was {verb}.\n\nIf this was you, nothing more is needed. \
         If it was not, sign in, remove what you do not recognise (the account page lists your \
         factors), and reset your password: the reset offers to end every session.",
        email = user.email,
    );
    if let Err(e) = crate::api::accounts::mail_notice(ctx, &user.email, subject, text).await {
        ctx.warn(format!("factor-change mail to user {}: {e:?}", user.id));
    }
}

/// The user's enrolled factors, one line each (names as the user gave them).
pub async fn enrolled_lines<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<Vec<String>, ApiError> {
    let store = ctx.platform.store();
    let mut lines: Vec<String> = store
        .totp_devices(TenantId::new(&user.tenant_id), UserId::new(&user.id))
        .await?
        .iter()
        .filter(|d| d.confirmed)
        .map(|d| format!("authenticator app \"{}\"", d.name))
        .collect();
    for p in store.passkeys(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await? {
        let flag = if p.flagged { " (flagged as possibly cloned)" } else { "" };
        lines.push(format!("passkey \"{}\"{flag}", p.name));
    }
    Ok(lines)
}

/// What the password-reset mail adds after the code: the enrolled factors.
pub async fn reset_mail_note<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<String, ApiError> {
    let lines = enrolled_lines(ctx, user).await?;
    if lines.is_empty() {
        return Ok("\n\nThis account has no second factor.".into());
    }
    let list: String = lines.iter().map(|l| format!("\n  - {l}")).collect();
    Ok(format!(
        "\n\nSecond factors on this account:{list}\nIf you do not recognise one, remove it after the reset \
         (the account page lists them)."
    ))
}
