//! A dealer's vehicles by VIN: in_transit → in_stock → reserved → sold → delivered; also demo
//! cars, which are never sold from stock.

kernel::text_enum! {
    pub enum UnitStatus {
        /// Shipped by the OEM, not yet received.
        InTransit = "in_transit",
        InStock = "in_stock",
        /// Held for a sales order.
        Reserved = "reserved",
        /// Paid in full, not yet handed over.
        Sold = "sold",
        Delivered = "delivered",
        Demo = "demo",
    }
}

/// Sellable units of a variant × colour at this count raise `dealer.stock_low`.
pub const LOW_STOCK_THRESHOLD: u64 = 1;

/// Whether the stock left after a sale just reached the threshold. Equal, not "at or below":
/// the manager hears once as a line runs low, not again with every later sale from it.
pub fn stock_low_reached(in_stock: u64) -> bool {
    in_stock == LOW_STOCK_THRESHOLD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_stock_is_announced_once_as_the_threshold_is_reached() {
        assert!(!stock_low_reached(LOW_STOCK_THRESHOLD + 1));
        assert!(stock_low_reached(LOW_STOCK_THRESHOLD));
        assert!(!stock_low_reached(LOW_STOCK_THRESHOLD - 1));
    }
}
