//! `GET /authsec/dev/outbox?to=<email>`: the development mail outbox, so local tests
//! can read codes. It exists only when ENVIRONMENT=development; elsewhere it is 404.

use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::accounts::DevOutbox;
use serde_json::json;

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
