"""The credential catalog (CONTRACT.md section 3): issuers and their micro-credentials."""
