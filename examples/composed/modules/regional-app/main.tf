# Stand-in for a regional application stack: it consumes the global writer
# endpoint and its own region's reader endpoint.

variable "name" {
  type = string
}

variable "region" {
  type = string
}

variable "writer_endpoint" {
  description = "Global writer endpoint: follows the primary across switchovers."
  type        = string
}

variable "reader_endpoint" {
  description = "This region's reader endpoint."
  type        = string
}

variable "is_primary" {
  type = bool
}

output "database_urls" {
  value = {
    writer = "postgres://${var.writer_endpoint}:5432/${var.name}"
    reader = "postgres://${var.reader_endpoint}:5432/${var.name}"
  }
}

output "is_primary" {
  value = var.is_primary
}
