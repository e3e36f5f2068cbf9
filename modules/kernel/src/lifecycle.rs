//! One way to write a state machine: typed states, typed actions, one transition function.
//! Refusals name the actions allowed from the current state (409 `illegal_transition`), and
//! DTOs list the same actions as `allowedActions`.

use crate::rules::{DomainError, DomainResult};
use std::fmt::Debug;

pub trait Lifecycle: Copy + Eq + Debug + 'static {
    type Action: Copy + Eq + Debug + 'static;

    /// Every action, in the order refusals and DTOs list them.
    const ACTIONS: &'static [Self::Action];

    /// The state as the API and the database spell it.
    fn name(self) -> &'static str;

    /// The action as the API spells it (the last path segment, e.g. `no-show`).
    fn action_name(action: Self::Action) -> &'static str;

    /// Where `action` leads from this state, if it is allowed.
    fn next(self, action: Self::Action) -> Option<Self>;

    /// The actions allowed from this state.
    fn allowed(self) -> Vec<Self::Action> {
        Self::ACTIONS
            .iter()
            .copied()
            .filter(|action| self.next(*action).is_some())
            .collect()
    }

    /// The allowed actions by name, for DTOs and refusals.
    fn allowed_names(self) -> Vec<String> {
        self.allowed()
            .into_iter()
            .map(|action| Self::action_name(action).to_owned())
            .collect()
    }

    /// The next state, or a refusal naming what is allowed instead.
    fn apply(self, action: Self::Action) -> DomainResult<Self> {
        self.next(action).ok_or_else(|| {
            DomainError::illegal_transition(
                self.name(),
                Self::action_name(action),
                self.allowed_names(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Door {
        Open,
        Closed,
        Locked,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Act {
        Open,
        Close,
        Lock,
    }

    impl Lifecycle for Door {
        type Action = Act;
        const ACTIONS: &'static [Act] = &[Act::Open, Act::Close, Act::Lock];

        fn name(self) -> &'static str {
            match self {
                Door::Open => "open",
                Door::Closed => "closed",
                Door::Locked => "locked",
            }
        }

        fn action_name(action: Act) -> &'static str {
            match action {
                Act::Open => "open",
                Act::Close => "close",
                Act::Lock => "lock",
            }
        }

        fn next(self, action: Act) -> Option<Door> {
            match (self, action) {
                (Door::Closed, Act::Open) => Some(Door::Open),
                (Door::Open, Act::Close) => Some(Door::Closed),
                (Door::Closed, Act::Lock) => Some(Door::Locked),
                _ => None,
            }
        }
    }

    #[test]
    fn allowed_actions_follow_the_transition_function() {
        assert_eq!(Door::Closed.allowed(), [Act::Open, Act::Lock]);
        assert!(Door::Locked.allowed().is_empty());
        assert_eq!(Door::Open.apply(Act::Close).ok(), Some(Door::Closed));
    }

    #[test]
    fn a_refusal_names_the_allowed_actions() {
        match Door::Closed.apply(Act::Close) {
            Err(DomainError::IllegalTransition {
                from,
                action,
                allowed,
            }) => {
                assert_eq!((from.as_str(), action.as_str()), ("closed", "close"));
                assert_eq!(allowed, ["open", "lock"]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
