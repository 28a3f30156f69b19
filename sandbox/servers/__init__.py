"""Local servers that speak each CRM's wire protocol over real HTTP(S) on 127.0.0.1."""
