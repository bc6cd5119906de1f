//! Replication subnet groups.

use serde_json::{Value, json};

use super::Tags;
use crate::ids;

#[derive(Debug, Clone)]
pub struct SubnetGroup {
    pub id: String,
    pub description: String,
    pub vpc_id: String,
    /// (subnet id, availability zone)
    pub subnets: Vec<(String, String)>,
    pub tags: Tags,
}

impl SubnetGroup {
    pub fn arn(&self) -> String {
        ids::arn("subgrp", &self.id)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "ReplicationSubnetGroupIdentifier": self.id,
            "ReplicationSubnetGroupDescription": self.description,
            "VpcId": self.vpc_id,
            "SubnetGroupStatus": "Complete",
            "Subnets": self.subnets.iter().map(|(id, az)| json!({
                "SubnetIdentifier": id,
                "SubnetAvailabilityZone": {"Name": az},
                "SubnetStatus": "Active",
            })).collect::<Vec<_>>(),
            "SupportedNetworkTypes": ["IPV4"],
        })
    }

    /// The group an instance gets when it names none (the default VPC's).
    pub fn default_json() -> Value {
        json!({
            "ReplicationSubnetGroupIdentifier": "default-vpc-0a1b2c3d",
            "ReplicationSubnetGroupDescription": "default group created by console for vpc id vpc-0a1b2c3d",
            "VpcId": "vpc-0a1b2c3d",
            "SubnetGroupStatus": "Complete",
            "Subnets": [
                {"SubnetIdentifier": "subnet-0a0a0a0a", "SubnetAvailabilityZone": {"Name": "us-east-1a"}, "SubnetStatus": "Active"},
                {"SubnetIdentifier": "subnet-0b0b0b0b", "SubnetAvailabilityZone": {"Name": "us-east-1b"}, "SubnetStatus": "Active"},
            ],
            "SupportedNetworkTypes": ["IPV4"],
        })
    }
}
