//! SigV4-signed requests to a running server, signed with its root credentials.

use aws_sigv4::http_request::SignableBody;

use crate::http::{raw, Reply};
use crate::server::Server;
use crate::sign::Signer;

impl Server {
    /// A signer holding this server's root credentials, now.
    pub fn signer(&self) -> Signer<'_> {
        Signer::new(&self.credentials)
    }

    pub fn request(&self, method: &str, target: &str, body: &[u8]) -> Reply {
        self.request_with(method, target, &[], body)
    }

    /// A SigV4-signed request (payload hash signed).
    pub fn request_with(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.send_signed(method, target, headers, SignableBody::Bytes(body), body)
    }

    /// A signed request whose body is sent as-is under a precomputed
    /// `x-amz-content-sha256` (e.g. `STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    pub fn request_precomputed(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        mode: &str,
        body: &[u8],
    ) -> Reply {
        let signable = SignableBody::Precomputed(mode.to_string());
        self.send_signed(method, target, headers, signable, body)
    }

    fn send_signed(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        signable: SignableBody<'_>,
        body: &[u8],
    ) -> Reply {
        let head = self
            .signer()
            .head(&self.addr, method, target, headers, signable);
        raw(&self.addr, &head, body).expect("request")
    }

    /// The head of a request signed with the root access key and `secret` (unsigned
    /// payload), without the blank line that ends it: for tests that send the rest themselves.
    pub fn signed_head(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        secret: &str,
    ) -> String {
        let signer = Signer {
            secret,
            ..self.signer()
        };
        signer.head(
            &self.addr,
            method,
            target,
            headers,
            SignableBody::UnsignedPayload,
        )
    }
}
