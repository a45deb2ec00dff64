//! The reconciler: the AWS-facing half of Terraform's apply for a
//! topology. From the desired topology ([`Desired`]) and an observation, the step planner
//! ([`next_phase`], in `steps`) picks the next phase of steps; the executor
//! ([`Run`], in `run`) runs phases until the planner says done, then the
//! leftovers sweep (`sweep`) deletes what interrupted removals left behind.
//! [`Target`] says where the topology lives; [`StepError`] is why a run or
//! step stopped, keeping the AWS error.
//!
//! "Plan" here means the step planner, not Terraform's plan
//! (`topology::plan`); running steps happens inside Terraform's apply.

mod desired;
mod error;
mod ownership;
mod run;
mod steps;
mod sweep;
mod target;

pub use desired::{Desired, DesiredInstance, DesiredRegion, Origin};
pub use error::StepError;
pub use run::{Failure, Run};
pub use steps::{deletes_from_source, full_tags, next_phase, Context, Next, Step};
pub use target::Target;
