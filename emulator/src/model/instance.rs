//! Replication instances: creating -> available; deleting -> gone.

use serde_json::{Value, json};

use super::{SubnetGroup, Tags, World, timing};
use crate::protocol::epoch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceStatus {
    Creating,
    Available,
    Deleting,
}

impl InstanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Creating => "creating",
            InstanceStatus::Available => "available",
            InstanceStatus::Deleting => "deleting",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub arn: String,
    pub class: String,
    pub status: InstanceStatus,
    pub since: f64,
    pub ready_at: f64,
    pub created: f64,
    pub allocated_storage: i64,
    pub engine_version: String,
    pub multi_az: bool,
    pub auto_minor_version_upgrade: bool,
    pub publicly_accessible: bool,
    pub availability_zone: String,
    pub subnet_group: Option<String>,
    pub vpc_security_groups: Vec<String>,
    pub kms_key_id: String,
    pub maintenance_window: String,
    pub network_type: String,
    pub dns_name_servers: Option<String>,
    pub private_ip: String,
    pub public_ip: String,
    pub tags: Tags,
}

impl Instance {
    pub fn advance(&mut self, now: f64) {
        if self.status == InstanceStatus::Creating && now >= self.ready_at {
            self.status = InstanceStatus::Available;
            self.since = self.ready_at;
        }
    }

    pub fn gone(&self, now: f64) -> bool {
        self.status == InstanceStatus::Deleting && now >= self.since + timing::INSTANCE_DELETE
    }

    pub fn to_json(&self, world: &World) -> Value {
        let group = match &self.subnet_group {
            Some(id) => world
                .subnet_group(id)
                .map(SubnetGroup::to_json)
                .unwrap_or_else(SubnetGroup::default_json),
            None => SubnetGroup::default_json(),
        };
        let mut v = json!({
            "ReplicationInstanceIdentifier": self.id,
            "ReplicationInstanceClass": self.class,
            "ReplicationInstanceStatus": self.status.as_str(),
            "AllocatedStorage": self.allocated_storage,
            "InstanceCreateTime": epoch(world.wall(self.created)),
            "VpcSecurityGroups": self.vpc_security_groups.iter().map(|id| json!({
                "VpcSecurityGroupId": id, "Status": "active"
            })).collect::<Vec<_>>(),
            "AvailabilityZone": self.availability_zone,
            "ReplicationSubnetGroup": group,
            "PreferredMaintenanceWindow": self.maintenance_window,
            "PendingModifiedValues": {},
            "MultiAZ": self.multi_az,
            "EngineVersion": self.engine_version,
            "AutoMinorVersionUpgrade": self.auto_minor_version_upgrade,
            "KmsKeyId": self.kms_key_id,
            "ReplicationInstanceArn": self.arn,
            "PubliclyAccessible": self.publicly_accessible,
            "NetworkType": self.network_type,
        });
        let obj = v.as_object_mut().expect("object");
        if self.status != InstanceStatus::Creating {
            obj.insert(
                "ReplicationInstancePrivateIpAddress".into(),
                json!(self.private_ip),
            );
            obj.insert(
                "ReplicationInstancePrivateIpAddresses".into(),
                json!([self.private_ip]),
            );
            if self.publicly_accessible {
                obj.insert(
                    "ReplicationInstancePublicIpAddress".into(),
                    json!(self.public_ip),
                );
                obj.insert(
                    "ReplicationInstancePublicIpAddresses".into(),
                    json!([self.public_ip]),
                );
            }
        }
        if let Some(d) = &self.dns_name_servers {
            obj.insert("DnsNameServers".into(), json!(d));
        }
        v
    }
}
