//! The only code that knows the web frameworks: HTTP (actix-web, with OpenAPI, access and
//! metrics) and MCP (rmcp), both calling the [`crate::service`] layer.

pub mod http;
pub mod mcp;
