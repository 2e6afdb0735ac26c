//! JSON Web Tokens: HS256 only, every claim checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{AuthError, User};

/// Seconds of clock difference tolerated on `exp` and `iat`.
pub(crate) const LEEWAY: u64 = 5;

/// Which kind a token is: one is never accepted as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Access,
    Refresh,
}

/// The claims of both kinds of token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Claims {
    /// The user's id.
    pub(crate) sub: String,
    pub(crate) typ: Kind,
    pub(crate) iss: String,
    pub(crate) aud: String,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
    /// Unique per token: two logins in the same second get different tokens.
    pub(crate) jti: String,
    /// The login this token descends from (refresh rotation, revocation).
    pub(crate) fam: String,
    /// Access tokens: who, so a request needs no lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) roles: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) adm: bool,
}

/// Signs and checks tokens with one secret.
pub(crate) struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Keys {
    pub(crate) fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY;
        validation.validate_exp = true;
        validation.validate_nbf = false;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// A signed token of `kind` for `user`, valid for `ttl` seconds from `now`.
    pub(crate) fn issue(
        &self,
        kind: Kind,
        user: &User,
        family: &str,
        now: i64,
        ttl: i64,
    ) -> Result<(String, Claims), AuthError> {
        let access = kind == Kind::Access;
        let claims = Claims {
            sub: user.id.clone(),
            typ: kind,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + ttl,
            jti: crate::util::random_hex(16),
            fam: family.to_owned(),
            name: access.then(|| user.username.clone()),
            roles: if access {
                user.roles.clone()
            } else {
                Vec::new()
            },
            adm: access && user.is_admin,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AuthError::Backend(format!("cannot sign a token: {e}")))?;
        Ok((token, claims))
    }

    /// The claims of `token` if it is a valid token of `kind`: signed with this secret by HS256,
    /// not expired, issued by us for us, and of that kind.
    pub(crate) fn check(&self, token: &str, kind: Kind, now: i64) -> Result<Claims, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthError::InvalidToken)?;
        let claims = data.claims;
        // Issued in the future: forged with our key or a broken clock; either way not ours.
        if claims.typ != kind || claims.iat > now + LEEWAY as i64 || claims.jti.is_empty() {
            return Err(AuthError::InvalidToken);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn ann() -> User {
        User {
            id: "u1".into(),
            username: "ann".into(),
            email: None,
            roles: vec!["editor".into()],
            is_admin: false,
            is_active: true,
        }
    }

    fn b64(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn tokens_round_trip_and_differ() {
        let k = Keys::new(b"0123456789abcdef0123456789abcdef", "numerous", "app");
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let (t1, _) = k.issue(Kind::Access, &ann(), "f", now, 60).unwrap();
        let (t2, _) = k.issue(Kind::Access, &ann(), "f", now, 60).unwrap();
        assert_ne!(t1, t2, "two tokens in the same second differ");
        let c = k.check(&t1, Kind::Access, now).unwrap();
        assert_eq!((c.sub.as_str(), c.name.as_deref()), ("u1", Some("ann")));
        assert_eq!(c.roles, ["editor"]);
    }

    #[test]
    fn bad_tokens_are_refused() {
        let k = Keys::new(b"0123456789abcdef0123456789abcdef", "numerous", "app");
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let (good, _) = k.issue(Kind::Access, &ann(), "f", now, 60).unwrap();
        let (refresh, _) = k.issue(Kind::Refresh, &ann(), "f", now, 60).unwrap();
        // Wrong kind, both ways.
        assert!(k.check(&refresh, Kind::Access, now).is_err());
        assert!(k.check(&good, Kind::Refresh, now).is_err());
        // Expired (beyond the leeway).
        let (old, _) = k.issue(Kind::Access, &ann(), "f", now - 120, 60).unwrap();
        assert!(k.check(&old, Kind::Access, now).is_err());
        // Another key, another audience, another issuer.
        for other in [
            Keys::new(b"another secret of thirty-two bytes!", "numerous", "app"),
            Keys::new(b"0123456789abcdef0123456789abcdef", "numerous", "other"),
            Keys::new(b"0123456789abcdef0123456789abcdef", "someone", "app"),
        ] {
            let (t, _) = other.issue(Kind::Access, &ann(), "f", now, 60).unwrap();
            assert!(k.check(&t, Kind::Access, now).is_err());
        }
        // Tampered payload.
        let parts: Vec<&str> = good.split('.').collect();
        let admin = b64(&format!(
            r#"{{"sub":"u1","typ":"access","iss":"numerous","aud":"app","iat":{now},"exp":{},"jti":"x","fam":"f","name":"ann","adm":true}}"#,
            now + 60
        ));
        let tampered = format!("{}.{admin}.{}", parts[0], parts[2]);
        assert!(k.check(&tampered, Kind::Access, now).is_err());
        // alg none, no signature.
        let none = format!("{}.{admin}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
        assert!(k.check(&none, Kind::Access, now).is_err());
        // HS512 with the right key: the algorithm is pinned.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &k.check(&good, Kind::Access, now).unwrap(),
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert!(k.check(&hs512, Kind::Access, now).is_err());
        assert!(k.check("garbage", Kind::Access, now).is_err());
    }
}
