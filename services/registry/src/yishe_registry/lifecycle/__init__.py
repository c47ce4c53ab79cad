"""Registration status over time: 注销, 简易注销 (zombie organisations confirmed by credit), 撤销, 吊销, 限期停止活动,
restoration, and authorised corrections of recorded changes that keep the trail."""
