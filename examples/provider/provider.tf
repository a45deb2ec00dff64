terraform {
  required_providers {
    replication = {
      source = "registry.terraform.io/replication/replication"
    }
  }
}

# Credentials come from the standard AWS chain (environment, shared files,
# SSO, web identity, instance metadata).
provider "replication" {
  region = "us-east-1"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/deployer"
    session_name = "terraform"
  }

  default_tags = {
    owner = "platform"
  }
}

# Against a local emulator instead of AWS:
#
# provider "replication" {
#   endpoint_url = "http://127.0.0.1:4566"
# }
