//! Conformance: scenarios and differential runs that compare the emulator
//! with Amazon's DynamoDB Local (and, given credentials, DynamoDB itself).
