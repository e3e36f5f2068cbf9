//! Facts: what the report module keeps of an integration event. Each event becomes zero or more
//! facts (pure, tested here); the store applies them idempotently, so replaying a fact twice
//! has one effect.

use chrono::{DateTime, NaiveDate, Utc};
use contracts::events::{auth, customer, dealer, manufacturer};
use contracts::IntegrationEvent;
use kernel::events::EventEnvelope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A delivered retail sale with its dimensions and economics (money in minor units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    pub order_id: Uuid,
    pub day: NaiveDate,
    pub dealer_id: Uuid,
    /// Empty when the event did not carry it; the store fills it from its dealer directory.
    pub region: String,
    pub branch_id: Option<Uuid>,
    pub staff_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub model_id: Option<Uuid>,
    pub vin: String,
    pub revenue: i64,
    pub list_price: i64,
    pub discount: i64,
    pub tax: i64,
    pub cost: i64,
    pub days_in_stock: Option<i32>,
    pub promotions: Vec<PromotionLine>,
    /// Written by the development seed rather than by an event.
    pub seeded: bool,
}

impl Sale {
    /// Net of tax, less what the unit cost the dealer.
    pub fn margin(&self) -> i64 {
        self.revenue
            .saturating_sub(self.tax)
            .saturating_sub(self.cost)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionLine {
    pub promotion_id: Uuid,
    pub name: String,
    pub source: String,
    pub amount: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// A dealer's sale to a customer.
    Retail,
    /// A dealer's purchase from the OEM.
    Oem,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Retail => "retail",
            OrderKind::Oem => "oem",
        }
    }
}

/// Everything the read models are made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    Dealer {
        dealer_id: Uuid,
        code: String,
        name: String,
        region: String,
        status: String,
    },
    Branch {
        branch_id: Uuid,
        dealer_id: Uuid,
        name: String,
    },
    Variant {
        variant_id: Uuid,
        model_id: Uuid,
        model_name: String,
        variant_name: String,
        wholesale_price: i64,
    },
    Promotion {
        promotion_id: Uuid,
        name: String,
        source: String,
    },
    Target {
        dealer_id: Uuid,
        period: String,
        units: i32,
        revenue: i64,
    },
    Sale(Sale),
    OrderOpened {
        order_id: Uuid,
        kind: OrderKind,
        dealer_id: Uuid,
        staff_id: Option<Uuid>,
        customer_id: Option<Uuid>,
        total: i64,
        payable: i64,
        on: NaiveDate,
        /// (number, due date, amount); a retail order paid in full has one, due on creation.
        instalments: Vec<(i32, NaiveDate, i64)>,
    },
    OrderApproved {
        order_id: Uuid,
        on: NaiveDate,
    },
    OrderCancelled {
        order_id: Uuid,
        on: NaiveDate,
    },
    CustomerPayment {
        payment_id: Uuid,
        order_id: Uuid,
        dealer_id: Uuid,
        amount: i64,
        at: DateTime<Utc>,
    },
    UnitAllocated {
        vin: String,
        dealer_id: Uuid,
        variant_id: Uuid,
        cost: i64,
        at: DateTime<Utc>,
    },
    UnitShipped {
        vin: String,
        dealer_id: Uuid,
        variant_id: Uuid,
        cost: i64,
        at: DateTime<Utc>,
    },
    UnitReceived {
        vin: String,
        dealer_id: Uuid,
        at: DateTime<Utc>,
    },
    UnitReserved {
        vin: String,
        dealer_id: Uuid,
        variant_id: Uuid,
        at: DateTime<Utc>,
    },
    UnitReleased {
        vin: String,
    },
    LeadOpened {
        lead_id: Uuid,
        dealer_id: Uuid,
        owner_id: Uuid,
        customer_id: Uuid,
        source: String,
        stage: String,
        on: NaiveDate,
    },
    LeadMoved {
        lead_id: Uuid,
        to: String,
        on: NaiveDate,
    },
    TestDrive {
        test_drive_id: Uuid,
        dealer_id: Uuid,
        customer_id: Uuid,
        variant_id: Uuid,
        scheduled_on: NaiveDate,
        completed_on: Option<NaiveDate>,
    },
    DealerInvoice {
        invoice_id: Uuid,
        dealer_id: Uuid,
        number: String,
        amount: i64,
        due_date: NaiveDate,
        issued_on: NaiveDate,
    },
    DealerPayment {
        payment_id: Uuid,
        invoice_id: Uuid,
        dealer_id: Uuid,
        amount: i64,
        at: DateTime<Utc>,
    },
    Staff {
        user_id: Uuid,
        dealer_id: Uuid,
        name: String,
    },
}

/// The names of the events [`facts_of`] understands (the module's subscriptions).
pub const CONSUMED: &[&str] = &[
    auth::UserRegistered::NAME,
    manufacturer::VariantPublished::NAME,
    manufacturer::PromotionChanged::NAME,
    manufacturer::DealerOrderPlaced::NAME,
    manufacturer::DealerOrderApproved::NAME,
    manufacturer::VehiclesAllocated::NAME,
    manufacturer::DealerOrderShipped::NAME,
    manufacturer::DealerOrderDelivered::NAME,
    manufacturer::DealerPaymentRecorded::NAME,
    dealer::DealerProfileChanged::NAME,
    dealer::BranchOpened::NAME,
    dealer::SalesTargetSet::NAME,
    dealer::SalesOrderCreated::NAME,
    dealer::SalesOrderApproved::NAME,
    dealer::SalesOrderCancelled::NAME,
    dealer::PaymentReceived::NAME,
    dealer::VehicleDelivered::NAME,
    customer::LeadCreated::NAME,
    customer::LeadStageChanged::NAME,
    customer::TestDriveScheduled::NAME,
    customer::TestDriveCompleted::NAME,
];

/// The facts one event contributes.
pub fn facts_of(event: &EventEnvelope) -> anyhow::Result<Vec<Fact>> {
    let on = event.occurred_at.date_naive();
    let at = event.occurred_at;
    Ok(match event.name.as_str() {
        auth::UserRegistered::NAME => {
            let e: auth::UserRegistered = event.decode()?;
            match e.dealer_id {
                Some(dealer_id) => vec![Fact::Staff {
                    user_id: e.user_id,
                    dealer_id,
                    name: e.name,
                }],
                None => vec![],
            }
        }
        manufacturer::VariantPublished::NAME => {
            let e: manufacturer::VariantPublished = event.decode()?;
            vec![Fact::Variant {
                variant_id: e.variant_id,
                model_id: e.model_id,
                model_name: e.model_name,
                variant_name: e.variant_name,
                wholesale_price: e.wholesale_price.0,
            }]
        }
        manufacturer::PromotionChanged::NAME => {
            let e: manufacturer::PromotionChanged = event.decode()?;
            vec![Fact::Promotion {
                promotion_id: e.promotion_id,
                name: e.name,
                source: "oem".into(),
            }]
        }
        manufacturer::DealerOrderPlaced::NAME => {
            let e: manufacturer::DealerOrderPlaced = event.decode()?;
            vec![Fact::OrderOpened {
                order_id: e.order_id,
                kind: OrderKind::Oem,
                dealer_id: e.dealer_id,
                staff_id: Some(e.placed_by),
                customer_id: None,
                total: e.total.0,
                payable: e.total.0,
                on,
                instalments: vec![],
            }]
        }
        manufacturer::DealerOrderApproved::NAME => {
            let e: manufacturer::DealerOrderApproved = event.decode()?;
            vec![Fact::OrderApproved {
                order_id: e.order_id,
                on,
            }]
        }
        manufacturer::VehiclesAllocated::NAME => {
            let e: manufacturer::VehiclesAllocated = event.decode()?;
            e.units
                .into_iter()
                .map(|u| Fact::UnitAllocated {
                    vin: u.vin,
                    dealer_id: e.dealer_id,
                    variant_id: u.variant_id,
                    cost: u.unit_price.0,
                    at,
                })
                .collect()
        }
        manufacturer::DealerOrderShipped::NAME => {
            let e: manufacturer::DealerOrderShipped = event.decode()?;
            let mut facts: Vec<Fact> = e
                .units
                .into_iter()
                .map(|u| Fact::UnitShipped {
                    vin: u.vin,
                    dealer_id: e.dealer_id,
                    variant_id: u.variant_id,
                    cost: u.unit_price.0,
                    at: e.shipped_at,
                })
                .collect();
            facts.push(Fact::DealerInvoice {
                invoice_id: e.invoice_id,
                dealer_id: e.dealer_id,
                number: e.invoice_number,
                amount: e.invoice_amount.0,
                due_date: e.invoice_due_date,
                issued_on: e.shipped_at.date_naive(),
            });
            facts
        }
        manufacturer::DealerOrderDelivered::NAME => {
            let e: manufacturer::DealerOrderDelivered = event.decode()?;
            e.vins
                .into_iter()
                .map(|vin| Fact::UnitReceived {
                    vin,
                    dealer_id: e.dealer_id,
                    at: e.delivered_at,
                })
                .collect()
        }
        manufacturer::DealerPaymentRecorded::NAME => {
            let e: manufacturer::DealerPaymentRecorded = event.decode()?;
            vec![Fact::DealerPayment {
                payment_id: e.payment_id,
                invoice_id: e.invoice_id,
                dealer_id: e.dealer_id,
                amount: e.amount.0,
                at: e.paid_at,
            }]
        }
        _ => dealer_or_customer_facts(event)?,
    })
}

fn dealer_or_customer_facts(event: &EventEnvelope) -> anyhow::Result<Vec<Fact>> {
    let on = event.occurred_at.date_naive();
    Ok(match event.name.as_str() {
        dealer::DealerProfileChanged::NAME => {
            let e: dealer::DealerProfileChanged = event.decode()?;
            vec![Fact::Dealer {
                dealer_id: e.dealer_id,
                code: e.code,
                name: e.name,
                region: e.region,
                status: e.status,
            }]
        }
        dealer::BranchOpened::NAME => {
            let e: dealer::BranchOpened = event.decode()?;
            vec![Fact::Branch {
                branch_id: e.branch_id,
                dealer_id: e.dealer_id,
                name: e.name,
            }]
        }
        dealer::SalesTargetSet::NAME => {
            let e: dealer::SalesTargetSet = event.decode()?;
            vec![Fact::Target {
                dealer_id: e.dealer_id,
                period: e.period,
                units: e.target_units,
                revenue: e.target_revenue.0,
            }]
        }
        dealer::SalesOrderCreated::NAME => {
            let e: dealer::SalesOrderCreated = event.decode()?;
            let payable = if e.payable.0 > 0 {
                e.payable.0
            } else {
                e.total.0
            };
            let instalments = if e.instalments.is_empty() {
                vec![(1, on, payable)]
            } else {
                e.instalments
                    .iter()
                    .map(|i| (i.number, i.due_date, i.amount.0))
                    .collect()
            };
            vec![
                Fact::OrderOpened {
                    order_id: e.order_id,
                    kind: OrderKind::Retail,
                    dealer_id: e.dealer_id,
                    staff_id: Some(e.staff_id),
                    customer_id: Some(e.customer_id),
                    total: e.total.0,
                    payable,
                    on,
                    instalments,
                },
                Fact::UnitReserved {
                    vin: e.vin,
                    dealer_id: e.dealer_id,
                    variant_id: e.variant_id,
                    at: event.occurred_at,
                },
            ]
        }
        dealer::SalesOrderApproved::NAME => {
            let e: dealer::SalesOrderApproved = event.decode()?;
            vec![Fact::OrderApproved {
                order_id: e.order_id,
                on,
            }]
        }
        dealer::SalesOrderCancelled::NAME => {
            let e: dealer::SalesOrderCancelled = event.decode()?;
            let mut facts = vec![Fact::OrderCancelled {
                order_id: e.order_id,
                on,
            }];
            if let Some(vin) = e.released_vin {
                facts.push(Fact::UnitReleased { vin });
            }
            facts
        }
        dealer::PaymentReceived::NAME => {
            let e: dealer::PaymentReceived = event.decode()?;
            vec![Fact::CustomerPayment {
                payment_id: e.payment_id,
                order_id: e.order_id,
                dealer_id: e.dealer_id,
                amount: e.amount.0,
                at: e.received_at,
            }]
        }
        dealer::VehicleDelivered::NAME => {
            let e: dealer::VehicleDelivered = event.decode()?;
            vec![Fact::Sale(sale_of(e))]
        }
        customer::LeadCreated::NAME => {
            let e: customer::LeadCreated = event.decode()?;
            vec![Fact::LeadOpened {
                lead_id: e.lead_id,
                dealer_id: e.dealer_id,
                owner_id: e.owner_id,
                customer_id: e.customer_id,
                source: e.source,
                stage: e.stage,
                on,
            }]
        }
        customer::LeadStageChanged::NAME => {
            let e: customer::LeadStageChanged = event.decode()?;
            vec![Fact::LeadMoved {
                lead_id: e.lead_id,
                to: e.to,
                on: e.changed_at.date_naive(),
            }]
        }
        customer::TestDriveScheduled::NAME => {
            let e: customer::TestDriveScheduled = event.decode()?;
            vec![Fact::TestDrive {
                test_drive_id: e.test_drive_id,
                dealer_id: e.dealer_id,
                customer_id: e.customer_id,
                variant_id: e.variant_id,
                scheduled_on: e.starts_at.date_naive(),
                completed_on: None,
            }]
        }
        customer::TestDriveCompleted::NAME => {
            let e: customer::TestDriveCompleted = event.decode()?;
            vec![Fact::TestDrive {
                test_drive_id: e.test_drive_id,
                dealer_id: e.dealer_id,
                customer_id: e.customer_id,
                variant_id: e.variant_id,
                scheduled_on: e.completed_at.date_naive(),
                completed_on: Some(e.completed_at.date_naive()),
            }]
        }
        _ => vec![],
    })
}

fn sale_of(e: dealer::VehicleDelivered) -> Sale {
    let days_in_stock = e
        .received_at
        .map(|r| i32::try_from((e.delivered_at - r).num_days().max(0)).unwrap_or(i32::MAX));
    Sale {
        order_id: e.order_id,
        day: e.delivered_at.date_naive(),
        dealer_id: e.dealer_id,
        region: e.region,
        branch_id: e.branch_id,
        staff_id: e.staff_id,
        customer_id: e.customer_id,
        variant_id: e.variant_id,
        model_id: e.model_id,
        vin: e.vin,
        revenue: e.total.0,
        list_price: e.list_price.0,
        discount: e.discount.0,
        tax: e.tax.0,
        cost: e.cost.0,
        days_in_stock,
        promotions: e
            .promotions
            .into_iter()
            .map(|p| PromotionLine {
                promotion_id: p.promotion_id,
                name: p.name,
                source: p.source,
                amount: p.amount.0,
            })
            .collect(),
        seeded: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::Money;

    fn envelope<E: IntegrationEvent>(e: &E) -> EventEnvelope {
        EventEnvelope::wrap(e).unwrap()
    }

    #[test]
    fn every_consumed_event_is_subscribed() {
        let subscribed = contracts::events::SUBSCRIPTIONS
            .iter()
            .find(|(m, _)| *m == contracts::modules::REPORT)
            .map(|(_, names)| *names)
            .unwrap_or_default();
        for name in CONSUMED {
            assert!(subscribed.contains(name), "{name} is not subscribed");
        }
        for name in subscribed {
            assert!(CONSUMED.contains(name), "{name} is subscribed but unused");
        }
    }

    #[test]
    fn a_delivery_becomes_one_sale_with_margin_and_days_in_stock() {
        let delivered = chrono::Utc::now();
        let event = dealer::VehicleDelivered {
            order_id: Uuid::now_v7(),
            order_number: "SO-1".into(),
            dealer_id: Uuid::now_v7(),
            branch_id: None,
            customer_id: Uuid::now_v7(),
            staff_id: Uuid::now_v7(),
            vin: "VIN".into(),
            variant_id: Uuid::now_v7(),
            colour_id: Uuid::now_v7(),
            total: Money(1_100),
            delivered_at: delivered,
            region: "South".into(),
            model_id: None,
            list_price: Money(1_200),
            discount: Money(200),
            tax: Money(100),
            cost: Money(700),
            promotions: vec![],
            received_at: Some(delivered - chrono::Duration::days(12)),
        };
        let facts = facts_of(&envelope(&event)).unwrap();
        let [Fact::Sale(sale)] = facts.as_slice() else {
            panic!("one sale expected: {facts:?}")
        };
        assert_eq!(sale.margin(), 300);
        assert_eq!(sale.days_in_stock, Some(12));
        assert_eq!(sale.revenue, 1_100);
    }

    #[test]
    fn an_order_paid_in_full_is_due_on_creation() {
        let event = dealer::SalesOrderCreated {
            order_id: Uuid::now_v7(),
            order_number: "SO-2".into(),
            dealer_id: Uuid::now_v7(),
            branch_id: None,
            customer_id: Uuid::now_v7(),
            staff_id: Uuid::now_v7(),
            quotation_id: None,
            variant_id: Uuid::now_v7(),
            colour_id: Uuid::now_v7(),
            vin: "VIN".into(),
            total: Money(500),
            payment_plan: "full".into(),
            payable: Money(0),
            instalments: vec![],
        };
        let env = envelope(&event);
        let facts = facts_of(&env).unwrap();
        match &facts[0] {
            Fact::OrderOpened {
                instalments,
                payable,
                ..
            } => {
                assert_eq!(*payable, 500);
                assert_eq!(instalments, &vec![(1, env.occurred_at.date_naive(), 500)]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(facts[1], Fact::UnitReserved { .. }));
    }

    #[test]
    fn facts_survive_the_queue_as_json() {
        let fact = Fact::LeadMoved {
            lead_id: Uuid::now_v7(),
            to: "won".into(),
            on: chrono::Utc::now().date_naive(),
        };
        let json = serde_json::to_string(&fact).unwrap();
        assert_eq!(serde_json::from_str::<Fact>(&json).unwrap(), fact);
    }
}
