// The model/price catalog of the optimizer engine: data generated from a maintained price source
// (scripts/build-catalog.ts), name resolution, the one cost function, substitutes, query and estimate.
export type { CallUsage, CapabilityTier, CatalogModel, Modality, PriceList, PricePeriod, PriceSource, ServiceTier, ServiceTiers, TieredPrice } from './types';
export { CATALOG } from './data';
export { costNano, priceCall, periodAt, blendedPerM, type CallCost, type CostFlag } from './cost';
export { findModel, normalizeProvider } from './lookup';
export { PriceBook, type OrgCallCost, type OrgPriceRule, type OrgRates } from './org-prices';
export { substitutes, sameOpenModel, coversModality } from './substitutes';
export { capabilityOf, sufficientFor, measuredRank, CAPABILITY_SOURCES, type Capability, type MeasuredTier } from './capabilities';
export { queryCatalog, catalogQuery, type CatalogQuery } from './query';
export {
  estimateWorkload,
  estimateRequest,
  workloadProfile,
  sampleCall,
  type EstimateRequest,
  type EstimateResult,
  type EstimateCandidate,
  type ModelRef,
  type Workload,
} from './estimate';
